"""Incremental transcription with the real Whisper model: words on the answer's timeline, most
work done while the person speaks, guards against silence/noise/loops, the transcribe CLI."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from speech_clips import speech, speech_spans, write_wav

from oral_sim.cli import main
from oral_sim.config import AsrConfig, Settings
from oral_sim.engine.asr import collapse_loops, load_whisper, transcribe_array
from oral_sim.engine.audio import FileSource
from oral_sim.engine.pipeline import AnswerPipeline, transcribe_file
from oral_sim.engine.transcript import Word

S1 = "Overfitting means the model memorizes noise."
S2 = "Regularization and more data help it generalize."
S3 = "Early stopping watches the validation loss."


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "answer.wav"
    return write_wav(path, speech([S1, S2, S3], gaps_s=1.0, tail_s=1.0))


def test_live_pace_transcribes_while_speaking(clip: Path) -> None:
    updates: list[tuple[float, int]] = []
    pipe = AnswerPipeline(Settings(), on_update=lambda t: updates.append((time.monotonic(),
                                                                         len(t.words))))
    for frame in FileSource(clip, realtime=True):
        pipe.feed(frame)
    fed_at = time.monotonic()
    transcript = pipe.finish()
    # Whisper ran during the answer: updates arrived before the input ended, and at most the
    # last utterance was left for finish().
    assert any(t < fed_at for t, _ in updates), updates
    assert pipe.stats.utterances == 3
    # On an idle machine only the last utterance is left (pending 1); under a loaded CI runner
    # the worker may lag, but some of the answer must have been done during capture.
    assert pipe.stats.pending_at_finish < pipe.stats.utterances
    words = _words(transcript.text)
    for sentence in (S1, S2, S3):
        hits = sum(w in words for w in _words(sentence))
        assert hits >= len(_words(sentence)) - 2, (sentence, transcript.text)
    said = [w for sentence in (S1, S2, S3) for w in _words(sentence)]
    assert sum(w in words for w in said) >= 0.85 * len(said), transcript.text
    # words sit on the answer's timeline, in order, each utterance after the previous
    starts = [w.start_s for w in transcript.words]
    assert starts == sorted(starts) and starts[0] >= 0.3
    assert transcript.duration_s == pytest.approx(len(list(FileSource(clip))) * 0.03, abs=0.01)


def test_transcribe_file_reports_timing(clip: Path) -> None:
    result = transcribe_file(clip)
    assert result.duration_s > 5 and result.processing_s > 0
    assert 0 <= result.finish_latency_s <= result.processing_s
    assert len(result.transcript.segments) >= 2


def test_silence_and_noise_give_no_text() -> None:
    model = load_whisper(Settings().asr)
    assert transcribe_array(model, np.zeros(16000 * 3, np.int16)) == ([], [])
    rng = np.random.default_rng(1)
    quiet_noise = (rng.normal(0, 30, 16000 * 3)).astype(np.int16)
    words, _ = transcribe_array(model, quiet_noise)
    assert words == []
    pipe = AnswerPipeline(Settings())
    for i in range(0, 16000 * 3, 480):
        pipe.feed(quiet_noise[i : i + 480].tobytes())
    assert pipe.finish().words == []


def test_repetition_loops_are_cut_but_real_repetitions_kept() -> None:
    def ws(text: str) -> list[Word]:
        return [Word(t, i * 0.3, i * 0.3 + 0.2) for i, t in enumerate(text.split())]

    looped = collapse_loops(ws("so the the the the the the model is is is is good good"))
    assert " ".join(w.word for w in looped) == "so the the model is is good good"
    phrase = collapse_loops(ws("we can do it we can do it we can do it we can do it now"))
    assert " ".join(w.word for w in phrase) == "we can do it we can do it now"


def test_invented_words_stacked_at_the_end_are_dropped() -> None:
    from oral_sim.engine.asr import drop_impossible_runs

    real = [Word(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate("and other cities".split())]
    invented = [Word(w, 1.0, 1.03) for w in "thank you for watching".split()]
    kept = drop_impossible_runs(real + invented + [Word("Paris", 2.0, 2.0)])
    assert [w.word for w in kept] == ["and", "other", "cities", "Paris"]


def test_transcribe_cli_json(clip: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["transcribe", str(clip), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"text", "duration_s", "words", "segments", "fillers", "pace"} <= set(out)
    assert {"word", "start_s", "end_s", "probability"} <= set(out["words"][0])
    assert {"count", "per_min", "items"} <= set(out["fillers"])
    assert {"wpm", "articulation_wpm", "pauses"} <= set(out["pace"])
    assert 80 < out["pace"]["wpm"] < 260
    # silence: no words, and the same shape (pace was null, and `pace.wpm` broke its readers)
    quiet = write_wav(clip.parent / "quiet.wav", np.zeros(32000, dtype=np.int16))
    assert main(["transcribe", str(quiet), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["words"] == [] and out["fillers"]["count"] == 0
    assert set(out["pace"]) == {"wpm", "articulation_wpm", "response_latency_s", "speaking_s",
                                "verdict", "reference_wpm", "pauses"}  # a spoken answer's keys
    assert out["pace"]["wpm"] is None and out["pace"]["verdict"] is None


def test_transcribe_cli_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all" * 10)
    assert main(["transcribe", str(bad)]) == 2  # a file the user gave: 2, as grade and bank
    assert "cannot read" in capsys.readouterr().err
    # the same mistake, the same exit code, in every command (helper's sweep: 1 here, 2 there)
    missing = str(tmp_path / "nope.wav")
    for argv in (["transcribe", missing], ["analyze", missing, "--question", "mlq-001"],
                 ["grade", str(tmp_path / "nope.jsonl")], ["say", "Hi.", "--voice", "nobody"],
                 ["transcribe", missing, "--asr-model", "nobody"],
                 ["say", "Hi.", "-o", str(tmp_path / "no" / "such" / "dir.wav")]):
        assert main(argv) == 2, argv
    capsys.readouterr()


def test_a_lone_unsure_last_word_is_dropped_but_a_final_um_is_kept() -> None:
    """Whisper invents a last word from the trailing breath ("...and other cities. one.", seen on
    the LJSpeech clips); a lone low-probability last segment goes, a filled pause stays. The
    segments here stand in for the model's output; the real effect is in BENCHMARKS.md."""
    from types import SimpleNamespace as NS

    def seg(words):
        return NS(no_speech_prob=0.01, avg_logprob=-0.2, compression_ratio=1.2,
                  words=[NS(word=f" {w}", start=s, end=s + 0.2, probability=p) for w, s, p in words])

    class Model:
        def __init__(self, segments):
            self.segments = segments

        def transcribe(self, *_a, **_k):
            return iter(self.segments), None

    speech = (np.sin(np.arange(16000) / 5) * 8000).astype(np.int16)
    said = [("and", 0.0, 0.9), ("other", 0.3, 0.99), ("cities.", 0.6, 1.0)]
    words, segs = transcribe_array(Model([seg(said), seg([("one.", 0.9, 0.42)])]), speech)
    assert [w.word for w in words] == ["And", "other", "cities."] and len(segs) == 1
    words, _ = transcribe_array(Model([seg(said), seg([("um.", 0.9, 0.3)])]), speech)
    assert words[-1].word == "um."
    words, _ = transcribe_array(Model([seg(said), seg([("Right.", 0.9, 0.8)])]), speech)
    assert words[-1].word == "Right."
    words, _ = transcribe_array(Model([seg([("one.", 0.0, 0.42)])]), speech)
    assert [w.word for w in words] == ["One."]  # an utterance of one word is not a tail


def test_speculative_pass_gives_the_words_the_real_pass_gives(tmp_path: Path) -> None:
    """At a pause of post-roll length the open utterance is transcribed while the speaker is
    quiet; when the pause closes it, that result is kept. It must be exactly what transcribing
    the closed utterance gives (same audio, same prompt)."""
    from oral_sim.engine.vad import Segmenter, Utterance

    clip = write_wav(tmp_path / "two.wav", speech([S1, S2], gaps_s=0.8, tail_s=0.7))
    on = Settings()
    pipe = AnswerPipeline(on)
    for frame in FileSource(clip, realtime=True):  # real time: the worker is idle at pauses
        pipe.feed(frame)
    spoken = pipe.finish()
    assert pipe.stats.speculated >= 1 and pipe.stats.speculation_used >= 1, pipe.stats
    off = Settings()
    off.asr.speculate = False
    plain = transcribe_file(clip, off).transcript
    assert [(w.word, round(w.start_s, 2)) for w in spoken.words] == \
        [(w.word, round(w.start_s, 2)) for w in plain.words]

    # the segmenter's view: the utterance peeked at that pause is the one the pause closes
    seg = Segmenter(on.vad, on.audio)
    peeked = None
    for frame in FileSource(clip):
        if seg.silent_run_frames == seg.post_roll_frames and seg.peek() is not None:
            peeked = seg.peek()
        for event in seg.feed(frame):
            if isinstance(event, Utterance):
                assert peeked is not None and np.array_equal(peeked.audio, event.audio)
                assert peeked.start_s == event.start_s
                peeked = None


def test_one_window_per_utterance_when_only_silence_is_left() -> None:
    """faster-whisper alone decodes a second 30 s window over an utterance's trailing silence
    (a whole encoder run, and where "Thank you." endings come from); we run one. Counted where
    faster-whisper's encoder runs: our hook stops a second window before it gets there."""
    from faster_whisper import WhisperModel

    model = load_whisper(Settings().asr)
    audio = speech([S1], lead_s=0.3, tail_s=0.6)
    calls: list[int] = []  # the frames of each encoder window
    real_encode = WhisperModel.encode

    def counting_encode(self, features):
        calls.append(features.shape[-1])
        return real_encode(self, features)

    from oral_sim.engine import asr

    decodes: list[float] = []
    real_decode = asr._decode

    def counting_decode(*args):  # noqa: ANN002, ANN202
        decodes.append(args[2])
        return real_decode(*args)

    WhisperModel.encode = counting_encode
    asr._decode = counting_decode
    try:
        words, _ = transcribe_array(model, audio, 0.0, Settings().asr)
        ours = list(calls)
        calls.clear()
        segments, _ = model.transcribe(audio.astype(np.float32) / 32768, language="en",
                                       word_timestamps=True, condition_on_previous_text=False)
        list(segments)
        plain = list(calls)
    finally:
        WhisperModel.encode = real_encode
        asr._decode = real_decode
    # one encoder run per window we decode: the first, plus a second look only where the words
    # stopped before the voice did (`transcribe_array`), never a window of trailing silence
    assert len(ours) == len(decodes) <= 2 and decodes[0] == 0.0, (ours, decodes)
    assert all(frames < 3000 for frames in ours), ours
    # the hook only acts inside transcribe_array: plain faster-whisper keeps its 30 s windows
    # (how many it runs depends on where its own decoding stops; not compared)
    assert plain and all(frames == 3000 for frames in plain), plain
    heard = _words(" ".join(x.word for x in words))
    assert sum(w in heard for w in _words(S1)) >= len(_words(S1)) - 2, heard


def test_speech_left_after_the_first_window_is_decoded_too() -> None:
    """When the first window's words stop before the voice does, the rest is transcribed."""
    from oral_sim.engine.asr import unheard_speech_start

    audio = speech([S1, S2], gaps_s=0.3, lead_s=0.3, tail_s=0.3)
    samples = audio.astype(np.float32) / 32768
    first = speech([S1], lead_s=0.3, tail_s=0.0)
    end_s = len(first) / 16000
    heard = [Word("noise.", end_s - 0.5, end_s - 0.05, 0.9)]
    start = unheard_speech_start(samples, heard, 0.0)
    assert start is not None and abs(start / 16000 - (end_s - 0.05)) < 0.01
    # only the last word's release and the post-roll left: nothing to decode
    whole = [Word("generalize.", 0.3, len(audio) / 16000 - 0.35, 0.9)]
    assert unheard_speech_start(samples, whole, 0.0) is None
    assert unheard_speech_start(np.zeros(16000, np.float32), [], 0.0) is None


def test_the_word_both_decodes_heard_is_kept_once() -> None:
    """The decode of what the first window left starts on its last word, so that word comes
    back: written the same way, or another way over the same audio (LJ001-0012: "printing"
    0.99, then "renting" 0.00 at 6.74-7.16 s, "printing renting beautiful" in the transcript;
    LJ001-0015: "page" / "stage"), it is one word, the surer copy. A new word after it, and a
    held filled pause heard twice, are as before."""
    from oral_sim.engine.asr import same_sound, stitch

    first = [Word("or", 6.48, 6.74, 0.59), Word("printing", 6.74, 7.20, 0.99)]
    again = [Word("renting", 6.74, 7.16, 0.0), Word("beautiful", 7.16, 7.60, 0.97)]
    assert [w.word for w in stitch(first, again)] == ["or", "printing", "beautiful"]
    surer = [Word("stage", 6.74, 7.16, 1.0), Word("beautiful", 7.16, 7.60, 0.97)]
    assert [w.word for w in stitch(first, surer)] == ["or", "stage", "beautiful"]
    same = [Word("printing", 6.76, 7.18, 0.9), Word("beautiful", 7.18, 7.60, 0.97)]
    assert [(w.word, w.probability) for w in stitch(first, same)][1:] == [("printing", 0.9),
                                                                       ("beautiful", 0.97)]
    # the next word, not the same sound: both stay
    nxt = [Word("beautiful", 7.10, 7.60, 0.97)]
    assert not same_sound(first[-1], nxt[0])
    assert [w.word for w in stitch(first, nxt)] == ["or", "printing", "beautiful"]
    # a held pause heard twice is one; a filled pause over a word is not judged by probability
    held = [Word("so", 1.0, 1.2, 0.9), Word("um", 1.3, 1.8, 0.7)]
    assert [w.word for w in stitch(held, [Word("uh", 1.4, 2.2, 0.8), Word("yes", 2.3, 2.6, 1.0)])] \
        == ["so", "um", "yes"]
    assert [w.word for w in stitch(held, [Word("well", 1.3, 1.8, 0.9)])] == ["so", "um", "well"]
    assert stitch([], again) == again and stitch(first, []) == first
    # a short word squeezed against the next one (AMI en2002b-bc-1049 ch1) is not that word
    the, transcript = Word("the", 1.2, 1.2, 0.87), Word("transcript,", 1.2, 1.47, 0.99)
    assert not same_sound(the, transcript)
    assert [w.word for w in stitch([the], [transcript])] == ["the", "transcript,"]
    assert not same_sound(Word("we", 4.87, 4.90, 0.97), Word("could", 4.87, 5.43, 0.86))
    # two words of no length: the same start
    assert same_sound(Word("a", 2.0, 2.0, 1.0), Word("uh", 2.03, 2.03, 1.0))
    assert not same_sound(Word("a", 2.0, 2.0, 1.0), Word("the", 2.2, 2.2, 1.0))


def test_a_phrase_written_again_in_a_scrap_of_time_is_dropped() -> None:
    """LJ001-0007: the decode of what was left wrote "about 14-55. About 14-55.", the copy in
    0.14 s against 1.22 s; a phrase said again at speaking speed, and a stutter, stay."""
    from oral_sim.engine.asr import drop_squeezed_repeats

    heard = [Word("of", 6.44, 6.64, 0.85), Word("about", 6.64, 6.94, 0.75),
             Word("14-55.", 6.94, 7.86, 0.5), Word("About", 7.86, 7.86, 0.15),
             Word("14-55.", 7.86, 8.0, 0.98)]
    assert [w.word for w in drop_squeezed_repeats(heard)] == ["of", "about", "14-55."]
    said = [Word("I", 1.0, 1.1, 0.9), Word("think", 1.1, 1.4, 0.9), Word("I", 1.6, 1.7, 0.9),
            Word("think", 1.7, 1.95, 0.9), Word("so.", 2.0, 2.3, 0.9)]
    assert drop_squeezed_repeats(said) == said
    stutter = [Word("the", 1.0, 1.02, 0.9), Word("the", 1.02, 1.03, 0.9), Word("model", 1.1, 1.5, 1.0)]
    assert drop_squeezed_repeats(stutter) == stutter


def test_speech_the_decoder_skipped_is_found() -> None:
    """Speech between two words, or under one word stretched over it, is found; a pause, a held
    filled pause and ordinary word lengths are not."""
    from oral_sim.engine.asr import skipped_stretches, stretched_word

    one = len(speech([S1], lead_s=0.3, tail_s=0.0)) / 16000
    audio = speech([S1, S2], gaps_s=0.3, lead_s=0.3, tail_s=0.3)
    samples = audio.astype(np.float32) / 32768
    s2_start, end_s = one + 0.3, len(audio) / 16000 - 0.3
    # S1's last word, then S2's last word: S2's other words were skipped
    skipped = [Word("noise.", one - 0.5, one, 0.9), Word("generalize.", end_s - 0.5, end_s, 0.9)]
    (index, start, stop), = skipped_stretches(samples, skipped, 0.0)
    assert index == 1 and abs(start / 16000 - one) < 0.01 and abs(stop / 16000 - (end_s - 0.5)) < 0.01
    assert stretched_word(samples, skipped, 0.0) is None
    # the same words around a silent pause of the same length: nothing skipped
    paused = speech([S1, S2], gaps_s=end_s - one - 0.5, lead_s=0.3, tail_s=0.3).astype(np.float32)
    assert skipped_stretches(paused / 32768, skipped, 0.0) == []
    # S1's last word stretched over all of S2
    stretched = [Word("the", one - 1.0, one - 0.5, 0.9), Word("noise.", one - 0.5, end_s, 0.9)]
    assert stretched_word(samples, stretched, 0.0) == 1
    held = [Word("the", one - 1.0, one - 0.5, 0.9), Word("Um,", one - 0.5, end_s, 0.9)]
    assert stretched_word(samples, held, 0.0) is None  # a filled pause may be held that long
    ordinary = [Word("noise.", one - 0.5, one, 0.9), Word("Regularization", s2_start, s2_start + 0.8, 0.9)]
    assert stretched_word(samples, ordinary, 0.0) is None and skipped_stretches(samples, ordinary, 0.0) == []


def test_skipped_speech_is_decoded_in_its_place(monkeypatch) -> None:
    """When the first decode jumps over a sentence, that stretch is decoded again by the real
    model and its words go between the words around it."""
    from oral_sim.engine import asr

    audio, spans = speech_spans([S1, S2, S3], gaps_s=0.3, lead_s=0.3, tail_s=0.3)
    (_, s1_end), (s2_start, s2_end), _ = spans
    model = asr.load_whisper(AsrConfig())
    real = asr._decode
    calls = []

    def first_skips(model, samples, offset_s, config, initial):  # noqa: ANN001, ANN202
        words, segs = real(model, samples, offset_s, config, initial)
        calls.append(offset_s)
        if len(calls) > 1:
            return words, segs
        # drop the words heard in S2's audio from the first pass, as the decoder did on a long
        # prompt (by time, not by text: the voice and Whisper vary, the rendering's times not)
        keep = [w for w in words if not s2_start - 0.1 < (w.start_s + w.end_s) / 2 < s2_end + 0.1]
        assert len(keep) < len(words)
        return keep, [asr.Segment(keep[0].start_s, keep[-1].end_s, " ".join(w.word for w in keep))]

    monkeypatch.setattr(asr, "_decode", first_skips)
    words, segs = asr.transcribe_array(model, audio, 0.0, AsrConfig())
    text = _words(" ".join(w.word for w in words))
    # the skipped stretch was decoded again, starting in the gap before S2 (another look may
    # follow, where a decode's words stop before the voice does: `transcribe_array`'s own)
    assert any(s1_end - 0.6 < c < s2_start + 0.3 for c in calls[1:]), (calls, spans)
    # S2 heard again, between S1's words and S3's
    only1, only2, only3 = ([w for w in _words(s) if all(w not in _words(o) for o in (S1, S2, S3)
                                                        if o != s)] for s in (S1, S2, S3))
    s1_at = [i for i, w in enumerate(text) if w in only1]
    s3_at = [i for i, w in enumerate(text) if w in only3]
    assert len(s1_at) >= len(only1) - 2 and len(s3_at) >= len(only3) - 2, " ".join(text)
    between = text[max(s1_at) + 1:min(s3_at)]
    assert sum(w in between for w in only2) >= len(only2) - 2, " ".join(text)
    assert [w.start_s for w in words] == sorted(w.start_s for w in words)
    assert _words(" ".join(s.text for s in segs)) == text  # each word in one segment, in order


def test_the_encoder_hears_the_utterance_plus_its_padding(monkeypatch) -> None:
    """The encoder's window is the utterance plus `AsrConfig.window_pad_s` of silence, not
    Whisper's fixed 30 s: less work, the same words (the real model)."""
    from faster_whisper import WhisperModel

    from oral_sim.engine.asr import window_frames

    assert window_frames(5 * 16000, 12.0) == 1700
    assert window_frames(int(4.33 * 16000), 12.0) == 1634  # even, for the stride-2 convolution
    assert window_frames(20 * 16000, 12.0) is None  # longer than 30 s: the whole window
    assert window_frames(5 * 16000, 30.0) is None
    seen: list[int] = []
    encode = WhisperModel.encode

    def spy(self, features):  # noqa: ANN001, ANN202
        seen.append(features.shape[-1])
        return encode(self, features)

    monkeypatch.setattr(WhisperModel, "encode", spy)
    audio = speech([S1, S2], gaps_s=0.4, tail_s=0.5)
    model = load_whisper()
    short, _ = transcribe_array(model, audio, config=AsrConfig(window_pad_s=12.0))
    short_seen, seen[:] = list(seen), []
    whole, _ = transcribe_array(model, audio, config=AsrConfig(window_pad_s=30.0))
    # the first window is the utterance plus its padding; a second look at speech the decoder
    # stopped before or skipped (`transcribe_array`) may add windows: never the whole 30 s
    # with the padding, always the whole 30 s without (on one CI machine the 30 s run looked
    # twice, so count windows, not calls)
    assert short_seen[0] == window_frames(len(audio), 12.0)
    assert all(frames < 3000 for frames in short_seen), short_seen
    assert seen and all(frames == 3000 for frames in seen), seen
    said = _words(S1 + " " + S2)
    for words in (short, whole):
        heard = _words(" ".join(w.word for w in words))
        assert sum(w in heard for w in said) >= len(said) - 2, (heard, said)
    # word times come from the shorter window's alignment as well (the same word, heard in
    # both windows, at the same time)
    times = {w.word.lower().strip(".,"): w.start_s for w in whole}
    pairs = [(w.start_s, times[key]) for w in short
             if (key := w.word.lower().strip(".,")) in times][:5]
    assert len(pairs) >= 3 and all(abs(a - b) < 0.2 for a, b in pairs), pairs


def test_hyphen_pieces_are_one_word() -> None:
    """faster-whisper splits "Mm-hmm." into "Mm" + "-hmm.": one backchannel, not two fillers."""
    from oral_sim.engine.asr import join_word_pieces

    words = [Word("Mm", 1.0, 1.2, 0.5), Word("-hmm.", 1.2, 1.4, 0.8), Word("Yes,", 2.0, 2.2, 0.9),
             Word("-", 2.2, 2.3, 0.9), Word("state", 2.4, 2.6, 0.9), Word("-of-the-art", 2.6, 3.0, 0.7)]
    joined = join_word_pieces(words)
    assert [w.word for w in joined] == ["Mm-hmm.", "Yes,", "-", "state-of-the-art"]
    assert (joined[0].start_s, joined[0].end_s, joined[0].probability) == (1.0, 1.4, 0.5)


def test_backchannel_written_apart_is_one_filled_pause() -> None:
    """Whisper writes "Mm-hmm." also as "Mm hmm." (AMI es2002a-bc-0687): one sound, one filled
    pause, not two. Halves with a stop between them or a pause are two sounds."""
    from oral_sim.engine.asr import join_word_pieces
    from oral_sim.engine.evaluation import filled_pause_count
    from oral_sim.engine.metrics import analyze_delivery
    from oral_sim.engine.transcript import Transcript

    words = [Word("Mm", 0.0, 0.2, 0.6), Word("hmm.", 0.25, 0.5, 0.7), Word("Yeah,", 0.9, 1.1, 0.9),
             Word("Mm.", 2.0, 2.2, 0.6), Word("Hmm.", 2.3, 2.5, 0.6), Word("uh", 3.0, 3.2, 0.6),
             Word("huh", 3.6, 3.8, 0.6)]
    joined = join_word_pieces(words)
    assert [w.word for w in joined] == ["Mm-hmm.", "Yeah,", "Mm.", "Hmm.", "uh", "huh"]
    assert (joined[0].start_s, joined[0].end_s, joined[0].probability) == (0.0, 0.5, 0.6)
    fillers = analyze_delivery(Transcript(words=joined, segments=[], duration_s=4.0)).fillers
    assert [(i.text, i.kind) for i in fillers.items] == [
        ("mmhmm", "filled_pause"), ("mm", "filled_pause"), ("hmm", "filled_pause"),
        ("uh", "filled_pause")]
    # the evaluation counts plain faster-whisper's words the same way
    assert filled_pause_count("Mm hmm. Uh, yeah") == 2
    assert filled_pause_count(["Mm", "hmm.", "Uh", "huh"]) == 2


def test_numbers_are_written_whole(tmp_path: Path) -> None:
    """faster-whisper gives "2" + ".6" and "5" + "%" as separate words; a piece without a
    leading space is the rest of the word before it, so the transcript reads "2.6 MB" and pace
    counts "two point six" (the real voice and model)."""
    from oral_sim.engine.asr import join_unspaced
    from oral_sim.engine.metrics import spoken_words

    pieces = [(" 2", Word("2", 0.0, 0.2, 0.9)), (".6", Word(".6", 0.2, 0.4, 0.8)),
              (" MB", Word("MB", 0.5, 0.7, 0.9)), (" lower", Word("lower", 1.0, 1.2, 0.9)),
              ("-case", Word("-case", 1.2, 1.4, 0.7))]
    assert [w.word for w in join_unspaced(pieces)] == ["2.6", "MB", "lower-case"]
    assert join_unspaced(pieces)[0].end_s == 0.4
    path = write_wav(tmp_path / "numbers.wav",
                     speech(["The model shrank to 2.6 MB and we routed 5% of traffic."]))
    words = transcribe_file(path).transcript.words
    said = [w.word.rstrip(".,") for w in words]
    # the number whole; Whisper writes the unit apart ("2.6 MB") or glued ("2.6mb"), depending
    # on the CPU's arithmetic (BENCHMARKS.md, 2026-12-01 night): both are counted the same
    assert any(re.fullmatch(r"2\.6(mb)?", w, re.IGNORECASE) for w in said), said
    assert "5%" in said or "5 percent" in " ".join(said).lower(), said
    # pace counts what was said: "two point six", "five percent" (15 words in all; one word
    # more or less is Whisper's hearing, not the count)
    assert [spoken_words(w) for w in ("2.6", "2.6MB", "5%")] == [3, 4, 2]
    assert 14 <= sum(spoken_words(w.word) for w in words) <= 16, said


def test_the_question_asked_helps_whisper_spell_its_terms(tmp_path: Path) -> None:
    """With the question as context Whisper writes the interviewer's terms: "imbalanced
    datasets" in 10 of 10 syntheses (without it, often "them balanced data sets" or "imbalance
    status"); and it adds no text to noise."""
    from oral_sim.engine.evaluation import compound_word_errors

    asked = "How do you handle highly imbalanced datasets?"
    said = "With imbalanced datasets I oversample the minority class."
    path = write_wav(tmp_path / "answer.wav", speech([said]))
    heard = transcribe_file(path, asked=asked).transcript.text
    assert re.search(r"imbalanced data ?sets", heard, re.IGNORECASE), heard
    # no worse than without the question (one word of slack: a prompted decode may fix the
    # term and slip elsewhere; "data sets" and "datasets" are one word either way)
    plain = transcribe_file(path).transcript.text
    assert compound_word_errors(said, heard) <= compound_word_errors(said, plain) + 1, (heard, plain)
    noise = (np.random.default_rng(0).standard_normal(16000 * 5) * 300).astype(np.int16)
    assert transcribe_file(write_wav(tmp_path / "noise.wav", noise), asked=asked).transcript.text == ""


def test_spelling_terms_are_the_words_that_cannot_be_heard() -> None:
    """Capitals inside a word, letters with digits, and names Whisper's tokenizer does not hold
    whole; once each, in order; a hyphenated word part by part; never a lower-case word or a
    sentence's first word (shown "unlabeled", Whisper wrote "a labeled dataset" as "unlabeled")."""
    from oral_sim.engine.asr import spelling_terms

    tokenizer = load_whisper().hf_tokenizer
    text = ("Boosting (e.g. XGBoost or AdaBoost) reduces bias; use SMOTE, a real-world INT8 "
            "model, the Kolmogorov-Smirnov test, sigmoid or ReLU. XGBoost again; the model "
            "learns from data. Unlabeled data has no target; we used Tecton and Python.")
    assert spelling_terms(text, tokenizer) == [
        "XGBoost", "AdaBoost", "SMOTE", "INT8", "Kolmogorov", "Smirnov", "ReLU", "Tecton"]
    assert spelling_terms(text, tokenizer, limit=2) == ["XGBoost", "AdaBoost"]
    assert spelling_terms("", tokenizer) == []


def test_the_subjects_spellings_are_written_and_invent_nothing(tmp_path: Path) -> None:
    """Shown the written subject's rare spellings, Whisper writes "XGBoost" (bare, "XG Boost");
    a subject whose terms are not said adds none of them, and noise still gives no text."""
    from oral_sim.engine.asr import spelling_terms
    from oral_sim.engine.bank import load_bank

    bank = load_bank()
    boosting, imbalance = bank.question("mlq-012"), bank.question("mlq-013")
    said = "For boosting I would train XGBoost with a small learning rate."
    # the exact spelling is the point; the voice is random, so a second rendering is heard when
    # the first misses (8 of 8 renderings were spelled right here, the question alone wrote
    # "XG boost" in 7 of them)
    for _ in range(2):
        path = write_wav(tmp_path / "answer.wav", speech([said]))
        spelled = transcribe_file(path, asked=boosting.prompt,
                                  spell=boosting.written).transcript.text
        if "XGBoost" in spelled:
            break
    assert "XGBoost" in spelled, spelled
    other = transcribe_file(path, asked=boosting.prompt, spell=imbalance.written).transcript.text
    shown = spelling_terms(imbalance.written, load_whisper().hf_tokenizer)
    assert shown and not set(map(str.lower, shown)) & set(_words(other)), other
    noise = (np.random.default_rng(0).standard_normal(16000 * 5) * 300).astype(np.int16)
    assert transcribe_file(write_wav(tmp_path / "noise.wav", noise), asked=boosting.prompt,
                           spell=boosting.written).transcript.text == ""
    # the subject's own words are not shown: "a labeled" stays "a labeled", not "unlabeled"
    basics = bank.question("mlq-001")
    labeled = write_wav(tmp_path / "labeled.wav",
                        speech(["Supervised learning trains a model on a labeled dataset."]))
    heard = transcribe_file(labeled, asked=basics.prompt, spell=basics.written).transcript.text
    assert not re.search(r"unlabel+ed", heard, re.IGNORECASE), heard
    assert re.search(r"\blabel+ed\b", heard, re.IGNORECASE), heard


def test_a_filled_pause_the_model_all_but_ruled_out_is_a_prompt_echo() -> None:
    """A disfluent prompt ending in "uh," (tried in 2026-11) had the beam carry it on into
    utterances that had none, at a probability of 0.0000-0.0002 (two AMI channels), where every real one seen
    had 0.0018 or more (an answer-opening "uh" of the simulated candidate). Such a filled pause
    goes; a word at that probability stays (only the prompt's pattern is in question)."""
    from types import SimpleNamespace as NS

    from oral_sim.engine.asr import ECHO_MAX_PROB, drop_prompt_echoes

    words = [Word("uh,", 0.0, 0.3, 0.0002), Word("yeah.", 0.5, 0.8, 0.9),
             Word("um,", 1.0, 1.3, 0.0018), Word("Nepelu", 1.5, 1.9, 0.0001)]
    assert [w.word for w in drop_prompt_echoes(words)] == ["yeah.", "um,", "Nepelu"]
    assert 0.0002 < ECHO_MAX_PROB < 0.0018

    seg = NS(no_speech_prob=0.01, avg_logprob=-0.2, compression_ratio=1.2,
             words=[NS(word=f" {w.word}", start=w.start_s, end=w.end_s, probability=w.probability)
                    for w in words])

    class Model:
        def transcribe(self, *_a, **_k):
            return iter([seg]), None

    speech = (np.sin(np.arange(32000) / 5) * 8000).astype(np.int16)
    out, segs = transcribe_array(Model(), speech)
    assert [w.word for w in out] == ["Yeah.", "um,", "Nepelu"]  # an answer starts with a capital
    assert segs[0].text == "Yeah. um, Nepelu"


def test_an_answer_starts_with_a_capital() -> None:
    """After a filler prompt that ended mid-sentence ("... well, uh,") Whisper wrote "supervised
    learning ..." for an answer's first word; it is capitalized (as is an utterance after a
    finished sentence; one that goes on from a comma is left as Whisper wrote it)."""
    from oral_sim.engine.asr import capitalize_start
    from oral_sim.engine.transcript import Segment

    words = [Word("supervised", 0.0, 0.4, 0.9), Word("learning", 0.4, 0.8, 0.9)]
    out, segs = capitalize_start(words, [Segment(0.0, 0.8, "supervised learning")])
    assert [w.word for w in out] == ["Supervised", "learning"] and segs[0].text == "Supervised learning"
    assert capitalize_start([], []) == ([], [])
    assert capitalize_start([Word("iPhone", 0, 1)], [])[0][0].word == "IPhone"  # first letter only

    speech_audio = speech(["supervised learning trains on labelled examples."], lead_s=0.3)
    model = load_whisper(Settings().asr)
    first, _ = transcribe_array(model, speech_audio)
    assert first[0].word[0].isupper(), first


#: The piper voice saying this, as a 48 kHz Opus file (`oral-sim say` then re-encoded with
#: PyAV): a user's test file (2026-12-02) on which `transcribe` lost the first 10.7 s.
PRECISION_RECALL = ("Precision is the number of true positives divided by true positives plus "
                    "false positives. It tells us, of everything we predicted positive, how much "
                    "really was positive. Recall is true positives divided by true positives plus "
                    "false negatives, so of all the real positives, how many did we find? There "
                    "is a trade-off: raising precision usually lowers recall. The F1 score is the "
                    "harmonic mean of the two.")


def test_a_loop_after_good_words_does_not_throw_the_good_words_away() -> None:
    """Whisper rated the first utterance's window by its whole decoded text, a loop after
    "...false positives. It" included (compression ratio 4.3), and the guard dropped every
    segment of it: 30 words of 65 lost, and the pace and response latency with them. Each
    segment is now rated by its own text; the speech after it is decoded again, starting on the
    last word heard (a decode starting at a word's onset dropped "positives")."""
    from oral_sim.engine.evaluation import wer

    path = Path(__file__).parent / "fixtures" / "audio" / "precision-recall.opus"
    result = transcribe_file(path)
    assert wer(PRECISION_RECALL, result.transcript.text) < 0.1, result.transcript.text
    assert result.transcript.words[0].start_s < 0.5  # the answer starts where the speech does
