"""How the benchmark scores filled pauses against a verbatim reference."""

from __future__ import annotations

from oral_sim.engine.evaluation import filled_pause_count, filled_pause_matches


def test_filled_pauses_are_matched_where_they_were_said() -> None:
    ref = "um did you have you made uh another M_ browser"
    assert filled_pause_matches(ref, "Um, did you have you made, uh, another M browser?") == (2, 2, 2)
    # one found, one missed
    assert filled_pause_matches(ref, "Um, did you have you made another M browser?") == (1, 2, 1)


def test_a_filled_pause_in_the_wrong_place_does_not_make_up_for_a_missed_one() -> None:
    """Counting per channel would call this 1 of 1 found; aligned, it is a miss and a false one."""
    ref = "Um or we could just put them all Yeah Yeah"
    hyp = "Or we could just put them all Mm-hmm. Yeah."
    assert filled_pause_count(ref) == filled_pause_count(hyp) == 1
    assert filled_pause_matches(ref, hyp) == (0, 1, 1)


def test_any_kind_of_filled_pause_matches_and_hyphen_pieces_are_one_word() -> None:
    assert filled_pause_matches("Oh mm-hmm Yeah", ["Oh,", "Mm", "-hmm.", "Yeah"]) == (1, 1, 1)
    assert filled_pause_matches("Actually mm yeah", "Actually, um, yeah.") == (1, 1, 1)
    assert filled_pause_count(["Mm", "-hmm."]) == 1
    assert filled_pause_count("mm-hmm uh-huh Mhm. hmm like") == 4


def test_empty_sides() -> None:
    assert filled_pause_matches("", "um") == (0, 0, 1)
    assert filled_pause_matches("um", "") == (0, 1, 0)
    assert filled_pause_matches("", "") == (0, 0, 0)
