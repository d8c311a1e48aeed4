"""Accuracy on real speech, ours beside plain faster-whisper (same model, same threads):

- read speech (LJ Speech subset + JFK): word error rate and real-time factor;
- spontaneous meeting speech with verbatim fillers (AMI, one headset channel at a time):
  filled-pause recall and precision.

"Plain" is what the peers do: `WhisperModel.transcribe(whole file)` with default decoding.
The benchmark (`oral-sim bench`) calls `evaluate_read_speech` and `evaluate_fillers`.
"""

from __future__ import annotations

import json
import re
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oral_sim import locations
from oral_sim.config import Settings
from oral_sim.engine.fillers import is_filled_pause

_NUM_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
              "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


def normalize_text(text: str) -> list[str]:
    """Lower-case words without punctuation, for WER."""
    text = text.lower().replace("-", " ").replace("\u2019", "'")
    words = re.findall(r"[a-z0-9']+", text)
    return [_NUM_WORDS.get(w, w) for w in words]


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate (jiwer) on normalized text."""
    import jiwer

    ref = " ".join(normalize_text(reference))
    hyp = " ".join(normalize_text(hypothesis))
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp or "<empty>"))


def word_errors(reference: str, hypothesis: str) -> dict:
    """Substitutions, deletions (words said but missing: what a bad cut would cause) and
    insertions, on normalized text."""
    import jiwer

    ref = " ".join(normalize_text(reference)) or "<empty>"
    out = jiwer.process_words(ref, " ".join(normalize_text(hypothesis)) or "<empty>")
    return {"substitutions": out.substitutions, "deletions": out.deletions,
            "insertions": out.insertions}


def join_compounds(reference: list[str], hypothesis: list[str]) -> tuple[list[str], list[str]]:
    """Both token lists with a compound written apart on one side joined where the other side
    writes it as one word ("wood cutters" / "woodcutters", "lower case" / "lowercase"), so a
    spelling choice of the writer counts as no error rather than two. A third view of WER beside
    `wer` and `wer_whisper_normalized`, in the spirit of the alternate spellings NIST's scoring
    tool (sclite, GLM files) accepts; applied the same to every system scored."""

    def joined(tokens: list[str], whole: set[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in whole:
                out.append(tokens[i] + tokens[i + 1])
                i += 2
            else:
                out.append(tokens[i])
                i += 1
        return out

    ref = joined(reference, set(hypothesis))
    return ref, joined(hypothesis, set(ref))


def compound_word_errors(reference: str, hypothesis: str) -> int:
    """Word errors (substituted + deleted + inserted) on normalized text after `join_compounds`."""
    import jiwer

    ref, hyp = join_compounds(normalize_text(reference), normalize_text(hypothesis))
    out = jiwer.process_words(" ".join(ref) or "<empty>", " ".join(hyp) or "<empty>")
    return out.substitutions + out.deletions + out.insertions


def wer_whisper_normalized(reference: str, hypothesis: str) -> float:
    """Word error rate after Whisper's own English text normalizer (the one the Whisper paper
    scores with: "fifteenth" = "15th", "fourteen fifty-five" = "1455", fillers removed), from
    transformers. A second view beside `wer`: our simple normalizer counts spelling choices
    ("15th" for "fifteenth") as errors."""
    import jiwer
    from transformers.models.whisper.english_normalizer import EnglishTextNormalizer

    norm = EnglishTextNormalizer({})
    ref, hyp = norm(reference), norm(hypothesis)
    if not ref.strip():
        return 0.0 if not hyp.strip() else 1.0
    return float(jiwer.wer(ref, hyp or "<empty>"))


def _spoken_tokens(text_or_words: Any) -> list[str]:
    """Lower-case words without punctuation (hyphens kept inside a word: "mm-hmm" is one). A piece
    faster-whisper split off at a hyphen ("Mm" "-hmm.") belongs to the word before it, and so
    does the second half of a backchannel written apart ("Mm" "hmm.", `fillers.one_sound`), for
    ours and plain alike."""
    from oral_sim.engine.asr import continues_word
    from oral_sim.engine.fillers import one_sound

    pieces = text_or_words if isinstance(text_or_words, list) else text_or_words.split()
    words: list[str] = []
    for piece in map(str, pieces):
        if words and one_sound(words[-1], piece):
            piece = "-" + piece
        if words and continues_word(piece, words[-1]):
            words[-1] += piece
        else:
            words.append(piece)
    tokens = (re.sub(r"[^a-z0-9'-]", "", w.lower().replace("\u2019", "'")).strip("-") for w in words)
    return [t for t in tokens if t]


def filled_pause_count(text_or_words: Any) -> int:
    """Filled pauses in a text (or list of words)."""
    return sum(1 for t in _spoken_tokens(text_or_words) if is_filled_pause(t))


def filled_pause_matches(reference: Any, hypothesis: Any) -> tuple[int, int, int]:
    """(found, in the reference, in the hypothesis). A hypothesis filled pause is found only
    where the word alignment of the two transcripts (jiwer's, the one WER uses) puts it against a
    reference filled pause, of any kind ("hmm" for "mm-hmm" counts). Stricter than comparing
    counts: an "Mm-hmm" written for a "Yeah" at 7 s does not make up for an "Um" missed at 0 s."""
    import jiwer

    ref, hyp = _spoken_tokens(reference), _spoken_tokens(hypothesis)
    ref_n = sum(map(is_filled_pause, ref))
    hyp_n = sum(map(is_filled_pause, hyp))
    if not ref or not hyp:
        return 0, ref_n, hyp_n
    found = 0
    for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
        if chunk.type in ("equal", "substitute"):
            pairs = zip(ref[chunk.ref_start_idx:chunk.ref_end_idx],
                        hyp[chunk.hyp_start_idx:chunk.hyp_end_idx], strict=True)
            found += sum(1 for r, h in pairs if is_filled_pause(r) and is_filled_pause(h))
    return found, ref_n, hyp_n


def _plain(model: Any, audio: np.ndarray, settings: Settings) -> tuple[str, list[str]]:
    segments, _ = model.transcribe(audio.astype(np.float32) / 32768.0,
                                   language=settings.asr.language, beam_size=settings.asr.beam_size,
                                   word_timestamps=True)
    words = [w.word.strip() for s in segments for w in (s.words or [])]
    return " ".join(words), words


def _ours(path: Path, settings: Settings) -> tuple[str, list[str], float]:
    text, words, took, _ = _ours_full(path, settings)
    return text, words, took


def _ours_full(path: Path, settings: Settings) -> tuple[str, list[str], float, Any]:
    from oral_sim.engine.pipeline import transcribe_file

    r = transcribe_file(path, settings)
    words = [w.word for w in r.transcript.words]  # voiced-gap "um"s included
    return " ".join(words), words, r.processing_s, r.transcript


def loud_bounds(audio: np.ndarray, rate_hz: int = 16000, frame_ms: int = 10) -> tuple[int, int] | None:
    """First and one-past-last sample of the frames within 35 dB of the clip's loudest: where a
    listener hears the speech start and end (None for an empty clip)."""
    n = rate_hz * frame_ms // 1000
    frames = len(audio) // n
    if frames == 0:
        return None
    x = audio[: frames * n].astype(np.float64).reshape(frames, n) / 32768.0
    db = 10 * np.log10(np.mean(x * x, axis=1) + 1e-12)
    loud = np.flatnonzero(db > db.max() - 35)
    return (int(loud[0] * n), int((loud[-1] + 1) * n)) if len(loud) else None


def speaking_span_s(audio: np.ndarray, rate_hz: int = 16000, frame_ms: int = 10) -> float:
    """Seconds from the first to the last loud frame of a clip: the speaking time a person
    measures by ear (frames within 35 dB of the clip's loudest; our ASR is not used)."""
    bounds = loud_bounds(audio, rate_hz, frame_ms)
    return (bounds[1] - bounds[0]) / rate_hz if bounds else 0.0


# Speaking spans marked by eye on a spectrogram, for clips where the loudness rule cannot find
# the voice: in jfk the crowd's noise before "And" and the applause after "country" sit within
# 35 dB of the peak, so the rule spans 0.07-11.0 s. "And" starts at 0.32 s (its harmonics begin);
# "country" ends at 10.20 s (its last voiced frame; 10.17-10.40 s would move the count by 2%).
HAND_MARKED_SPANS_S: dict[str, tuple[float, float]] = {"jfk": (0.32, 10.20)}


def _delivery_checks(transcript: Any, reference: str, audio: np.ndarray, clip: str = "") -> dict:
    """Discourse fillers found in read speech (every one is false: read text has none) and our
    WPM beside a hand count (reference words over the speaking span: by loudness, or marked by
    eye where the loudness rule hears noise as speech, `HAND_MARKED_SPANS_S`)."""
    from oral_sim.engine.metrics import analyze_delivery

    d = analyze_delivery(transcript)
    markers = [it.text for it in d.fillers.items if it.kind == "discourse_marker"]
    marked = HAND_MARKED_SPANS_S.get(clip)
    span = marked[1] - marked[0] if marked else speaking_span_s(audio)
    hand = len(normalize_text(reference)) / span * 60 if span > 0 else None
    ours = d.pace.wpm if d.pace else None
    return {"discourse_markers": markers, "wpm": ours, "hand_wpm": None if hand is None else float(hand),
            "words": d.words, "speaking_s": d.pace.speaking_s if d.pace else 0.0,
            "hand_words": len(normalize_text(reference)), "span_s": float(span)}


def _pooled_wpm_error(checks: list[dict]) -> float | None:
    """All clips as one long answer: our words / our speaking time against the hand count."""
    ours_t = sum(c["speaking_s"] for c in checks)
    hand_t = sum(c["span_s"] for c in checks)
    if not ours_t or not hand_t:
        return None
    ours = sum(c["words"] for c in checks) / ours_t
    hand = sum(c["hand_words"] for c in checks) / hand_t
    return round(abs(ours - hand) / hand, 4)


def read_speech_items(eval_root: Path) -> list[tuple[Path, str]]:
    """(audio, transcript) pairs of the read-speech set."""
    items = []
    lj = eval_root / "read_speech" / "ljspeech_subset"
    meta = lj / "metadata_subset.csv"
    if meta.is_file():
        for line in meta.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) >= 3 and (lj / "wavs" / f"{parts[0]}.wav").is_file():
                items.append((lj / "wavs" / f"{parts[0]}.wav", parts[2]))
    jfk = eval_root / "read_speech" / "jfk_faster_whisper" / "jfk.flac"
    if jfk.is_file():
        items.append((jfk, "And so my fellow Americans, ask not what your country can do for you, "
                           "ask what you can do for your country."))
    return items


def fillers_in_read_text(eval_root: Path | None = None) -> dict:
    """What the filler rules find in LJ Speech's whole text (13,100 sentences read from books and
    the Warren Commission report, `metadata_full.csv`): book prose has next to no fillers, so
    nearly every hit is a false one (the testimony it quotes does have some, "I was kind of
    sweeping this area"). Text only, no audio: a regression check on the context rules at a
    scale the labelled set cannot give."""
    from oral_sim.engine.fillers import find_fillers, tokens_from_text

    meta = (eval_root or locations.eval_dir()) / "read_speech" / "ljspeech_subset" / (
        "metadata_full.csv")
    if not meta.is_file():
        return {"skipped": f"no {meta}"}
    words = sentences = 0
    by_kind: dict[str, int] = {}
    by_text: dict[str, int] = {}
    for line in meta.read_text(encoding="utf-8").splitlines():
        parts = line.split("|")
        if len(parts) < 3:
            continue
        tokens = tokens_from_text(parts[2])
        sentences += 1
        words += len(tokens)
        for item in find_fillers(tokens):
            by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
            if item.kind == "discourse_marker":
                by_text[item.text] = by_text.get(item.text, 0) + 1
    return {"sentences": sentences, "words": words, "by_kind": by_kind,
            "per_1000_words": {k: round(1000 * v / words, 3) for k, v in by_kind.items()},
            "discourse_markers": dict(sorted(by_text.items(), key=lambda kv: -kv[1]))}


def evaluate_read_speech(settings: Settings | None = None, limit: int | None = None,
                         eval_root: Path | None = None) -> dict:
    """WER and real-time factor, pipeline vs plain faster-whisper, over the read-speech set."""
    from oral_sim.engine.asr import load_whisper
    from oral_sim.engine.audiofile import load_audio

    settings = settings or Settings()
    items = read_speech_items(eval_root or locations.eval_dir())[:limit]
    if not items:
        return {"skipped": "no read speech in the eval data"}
    model = load_whisper(settings.asr)
    refs, ours, plain, checks = [], [], [], []
    audio_s = ours_s = plain_s = 0.0
    for path, ref in items:
        audio = load_audio(path)
        audio_s += len(audio) / 16000
        text, _, took, transcript = _ours_full(path, settings)
        checks.append({"clip": path.stem, **_delivery_checks(transcript, ref, audio, path.stem)})
        ours_s += took
        t0 = time.perf_counter()
        ptext, _ = _plain(model, audio, settings)
        plain_s += time.perf_counter() - t0
        refs.append(ref)
        ours.append(text)
        plain.append(ptext)
    ref_all, ours_all, plain_all = " ".join(refs), " ".join(ours), " ".join(plain)
    false_markers = [f"{c['clip']}: {m}" for c in checks for m in c["discourse_markers"]]
    errors = [abs(c["wpm"] - c["hand_wpm"]) / c["hand_wpm"] for c in checks
              if c["wpm"] and c["hand_wpm"]]
    return {
        "discourse_false_positives": len(false_markers),
        "discourse_false_positive_items": false_markers,
        "wpm_vs_hand": {
            "mean_abs_error": round(float(np.mean(errors)), 4) if errors else None,
            "max_abs_error": round(float(np.max(errors)), 4) if errors else None,
            "within_5_percent": int(sum(e <= 0.05 for e in errors)),
            "pooled_error": _pooled_wpm_error(checks),
            "clips": len(errors),
            "hand_count": "reference words / span from first to last frame within 35 dB of the "
                          "clip's peak (no ASR); jfk's span marked by eye on a spectrogram "
                          "(crowd noise passes the loudness rule)",
            "per_clip": [{"clip": c["clip"], "wpm": round(c["wpm"], 1) if c["wpm"] else None,
                          "hand_wpm": round(c["hand_wpm"], 1) if c["hand_wpm"] else None}
                         for c in checks],
        },
        "files": len(items),
        "audio_s": round(audio_s, 1),
        "pipeline": {"wer": round(wer(ref_all, ours_all), 4), "rtf": round(ours_s / audio_s, 4),
                     "wer_whisper_normalizer": round(wer_whisper_normalized(ref_all, ours_all), 4),
                     "errors": _errors(refs, ours)},
        "plain": {"wer": round(wer(ref_all, plain_all), 4), "rtf": round(plain_s / audio_s, 4),
                  "wer_whisper_normalizer": round(wer_whisper_normalized(ref_all, plain_all), 4),
                  "errors": _errors(refs, plain)},
        "wer_difference": paired_wer_difference(refs, ours, plain),
        "compound_word_errors": {
            "ours": sum(compound_word_errors(r, o) for r, o in zip(refs, ours, strict=True)),
            "plain": sum(compound_word_errors(r, p) for r, p in zip(refs, plain, strict=True)),
            "method": "word errors with a compound written apart on one side and as one word "
                      "on the other counted as no error (evaluation.join_compounds)",
        },
        "fillers_in_read_text": fillers_in_read_text(eval_root),
        "note": "pipeline WER counts its filler 'um's as insertions (read speech has none)",
    }


#: Resamples of the paired bootstrap (`paired_wer_difference`); the seed makes it repeatable.
BOOTSTRAP_RESAMPLES = 10000


def paired_wer_difference(refs: list[str], ours: list[str], plain: list[str]) -> dict:
    """Our WER minus plain's, with a 95% interval from a paired bootstrap over clips (clips
    drawn with replacement, both systems' errors on the same draw; Bisani & Ney 2004), by
    `scipy.stats.bootstrap`: how much of a gap of a few words is more than the choice of clips."""
    from scipy.stats import bootstrap

    n_words = np.array([len(normalize_text(r)) for r in refs], float)
    errs = np.array([[sum(word_errors(r, h).values()) for h in (o, p)]
                     for r, o, p in zip(refs, ours, plain, strict=True)], float)
    if not n_words.sum():
        return {"ours_minus_plain": None}

    def gap(e_ours: np.ndarray, e_plain: np.ndarray, words: np.ndarray, axis: int = -1):
        return (e_ours.sum(axis) - e_plain.sum(axis)) / words.sum(axis)

    point = float(gap(errs[:, 0], errs[:, 1], n_words))
    if len(refs) < 2 or np.all(errs[:, 0] == errs[:, 1]):  # nothing to resample
        ci, worse = (point, point), float(point > 0)
    else:
        res = bootstrap((errs[:, 0], errs[:, 1], n_words), gap, paired=True, vectorized=True,
                        n_resamples=BOOTSTRAP_RESAMPLES, method="percentile",
                        rng=np.random.default_rng(0))
        ci = (res.confidence_interval.low, res.confidence_interval.high)
        worse = float((res.bootstrap_distribution > 0).mean())
    return {"ours_minus_plain": round(point, 4),
            "ci95": [round(float(ci[0]), 4), round(float(ci[1]), 4)],
            "ours_worse_in": round(worse, 3),
            "words": int(n_words.sum()), "error_words": [int(errs[:, 0].sum()), int(errs[:, 1].sum())],
            "method": f"paired bootstrap over clips (scipy.stats.bootstrap, percentile), "
                      f"{BOOTSTRAP_RESAMPLES} resamples, seed 0"}


def _errors(refs: list[str], hyps: list[str]) -> dict:
    """Word errors summed clip by clip."""
    total = {"substitutions": 0, "deletions": 0, "insertions": 0}
    for ref, hyp in zip(refs, hyps, strict=True):
        for key, n in word_errors(ref, hyp).items():
            total[key] += n
    return total


@dataclass
class AmiChannel:
    """One headset channel of an AMI clip with its verbatim transcript."""

    audio: Path
    """The clip (two channels)."""
    channel: int
    """Which channel is this speaker's headset."""
    text: str
    """Every AMI word of this speaker that overlaps the 9 s window (SOURCE.txt: the first and
    last may be cut by the window)."""
    speech_from_s: float | None
    """Where this speaker's first AMI speech segment starts in the window (0.0: they were
    already talking when the window opened; None when the scenario does not say)."""


def ami_channels(eval_root: Path) -> list[AmiChannel]:
    """Every channel of every AMI clip, with its verbatim transcript."""
    root = eval_root / "disfluent" / "ami"
    out = []
    for scenario in sorted((root / "scenarios").glob("*.json")):
        data = json.loads(scenario.read_text(encoding="utf-8"))
        audio = root / "audio" / data["audio"]
        if not audio.is_file():
            continue
        chans = data.get("channels", {})
        render = data.get("reference_render") or {}
        for role, key in (("caller", "caller_channel"), ("agent", "agent_channel")):
            text = (data.get("transcript") or {}).get(role)
            if text is not None:
                segments = render.get(f"{role}_segments_sec") or []
                out.append(AmiChannel(audio, int(chans.get(key, 0 if role == "caller" else 1)),
                                      text, float(segments[0][0]) if segments else None))
    return out


#: Lead silence (from the window's start to the first frame within 35 dB of the channel's
#: loudest) longer than any silence inside one filled pause: a held vowel or hum has no gap.
CUT_OPENING_S = 0.15


def opening_cut_off(chan: AmiChannel, audio: np.ndarray, rate_hz: int = 16000) -> bool:
    """The reference opens on a filled pause the window cut off: the AMI segments say this
    speaker was talking when the window opened, yet the channel is silent for more than
    CUT_OPENING_S there, so the sound of that first word lies before the clip. (en2002b-take-0149
    and -0930 channel 1; decoding the clip from later and later start points shows the first
    sound after the silence is the next word, "if" and "or".)"""
    tokens = _spoken_tokens(chan.text)
    if chan.speech_from_s != 0.0 or not tokens or not is_filled_pause(tokens[0]):
        return False
    bounds = loud_bounds(audio, rate_hz)
    return bounds is not None and bounds[0] / rate_hz > CUT_OPENING_S


def _channel_wav(path: Path, channel: int, out: Path) -> Path:
    import av

    with av.open(str(path)) as c:
        frames = [f.to_ndarray() for f in c.decode(audio=0)]
    data = np.concatenate(frames, axis=1) if frames[0].ndim == 2 and frames[0].shape[0] > 1 else None
    if data is None:  # packed layout: (1, samples * channels)
        flat = np.concatenate([f.reshape(-1) for f in frames])
        data = flat.reshape(-1, 2).T
    mono = data[channel].astype(np.int16)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(mono.tobytes())
    return out


def evaluate_fillers(settings: Settings | None = None, limit: int | None = None,
                     eval_root: Path | None = None, work: Path | None = None) -> dict:
    """Filled-pause recall and precision over the AMI channels, pipeline vs plain: matched by
    word alignment (`filled_pause_matches`); also by count, and over the filled pauses that
    are in the audio (`opening_cut_off`)."""
    import tempfile

    from oral_sim.engine.asr import load_whisper
    from oral_sim.engine.audiofile import load_audio

    settings = settings or Settings()
    chans = ami_channels(eval_root or locations.eval_dir())
    if limit is not None:
        chans = chans[: 2 * limit]
    simulated = evaluate_simulated_fillers(settings, answers=1 if limit else 8)
    if not chans:
        return {"skipped": "no AMI clips in the eval data", "simulated_candidate": simulated}
    model = load_whisper(settings.asr)
    totals = dict.fromkeys(("ref", "heard_ref", "ours_hyp", "ours_tp", "ours_count_tp",
                            "ours_heard_tp", "plain_hyp", "plain_tp", "plain_count_tp",
                            "plain_heard_tp"), 0)
    per, cut_off = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(work or tmp)
        for i, chan in enumerate(chans):
            wav = _channel_wav(chan.audio, chan.channel, tmpdir / f"ch{i}.wav")
            audio = load_audio(wav)
            _, ours_words, _ = _ours(wav, settings)
            _, plain_words = _plain(model, audio, settings)
            ref = _spoken_tokens(chan.text)
            cut = opening_cut_off(chan, audio)
            heard = ref[1:] if cut else ref
            if cut:
                cut_off.append(f"{chan.audio.stem} channel {chan.channel}: {ref[0]!r}")
            o_tp, ref_n, o = filled_pause_matches(ref, ours_words)
            p_tp, _, p = filled_pause_matches(ref, plain_words)
            o_heard, heard_n, _ = filled_pause_matches(heard, ours_words)
            p_heard, _, _ = filled_pause_matches(heard, plain_words)
            totals["ref"] += ref_n
            totals["heard_ref"] += heard_n
            for side, tp, n, tp_heard in (("ours", o_tp, o, o_heard), ("plain", p_tp, p, p_heard)):
                totals[f"{side}_hyp"] += n
                totals[f"{side}_tp"] += tp
                totals[f"{side}_count_tp"] += min(n, ref_n)
                totals[f"{side}_heard_tp"] += tp_heard
            per.append({"clip": chan.audio.stem, "channel": chan.channel, "reference": ref_n,
                        "opening_cut_off": cut, "ours": o, "ours_matched": o_tp, "plain": p,
                        "plain_matched": p_tp, "ours_words": " ".join(ours_words)})

    def ratio(num: int, den: int) -> float | None:
        return round(num / den, 3) if den else None

    def pr(side: str) -> dict:
        tp, hyp, count_tp = totals[f"{side}_tp"], totals[f"{side}_hyp"], totals[f"{side}_count_tp"]
        heard_tp = totals[f"{side}_heard_tp"]
        return {
            "recall": ratio(tp, totals["ref"]),
            "precision": ratio(tp, hyp),
            "found": hyp,
            "matched": tp,
            "by_count": {"recall": ratio(count_tp, totals["ref"]), "precision": ratio(count_tp, hyp)},
            "in_the_audio": {"recall": ratio(heard_tp, totals["heard_ref"]),
                             "precision": ratio(heard_tp, hyp), "matched": heard_tp},
        }

    return {
        "channels": len(chans),
        "reference_filled_pauses": totals["ref"],
        "reference_filled_pauses_in_the_audio": totals["heard_ref"],
        "cut_off_by_the_window": cut_off,
        "simulated_candidate": simulated,
        "pipeline": pr("ours"),
        "plain": pr("plain"),
        "per_channel": per,
        "method": "a filled pause is found where the word alignment of transcript and AMI verbatim "
                  "reference puts it against a reference filled pause; by_count: counts matched "
                  "per channel (min(ref, hyp)), the method before 2026-11-30 evening; "
                  "in_the_audio: without reference filled pauses that open a channel whose "
                  "speaker was talking when the window opened but whose audio is silent there "
                  "(cut off by the window, evaluation.opening_cut_off)",
    }


def evaluate_spoken_answers(settings: Settings | None = None, limit: int | None = None) -> dict:
    """The labelled key-point answers (`calibration.load_labelled`) spoken by the simulated
    candidate (piper voice, -60 dBFS noise floor) and transcribed as the interview does it (the
    question and its subject's spellings shown to Whisper), then scored as spoken answers:
    - word errors against the written answer;
    - key points end to end against the people's labels, beside the written text's;
    - key terms the recognizer lost (missed in the transcript, used in the written answer), and
      the sound-alike hints shown (`soundalike.heard_as`): on lost terms, or on other words.
    The voice samples noise, so these figures move a little from run to run."""
    from oral_sim.config import TtsConfig
    from oral_sim.engine.calibration import _coverage_counts, labelled_in_bank
    from oral_sim.engine.candidate import SimulatedCandidate
    from oral_sim.engine.pipeline import transcribe_source
    from oral_sim.engine.scoring import score_answer
    from oral_sim.engine.tts import get_voice

    settings = settings or Settings()
    items, bank, _ = labelled_in_bank()
    items = items[:limit]
    if not items:
        return {"skipped": "no labelled answers to the bank's questions"}
    voice = get_voice(TtsConfig())
    written_pairs, spoken_pairs, texts = [], [], []
    missed_written = missed_spoken = lost = hinted_lost = 0
    hints: list[str] = []
    for n, item in enumerate(items):
        question = bank[item.question_id]
        candidate = SimulatedCandidate(voice, item.answer, seed=n, noise_dbfs=-60)
        transcript = transcribe_source(candidate, settings, asked=question.prompt,
                                       spell=question.written).transcript
        texts.append(transcript.text)
        written = score_answer(item.answer, question)
        spoken = score_answer(transcript.text, question, transcript=transcript)
        written_pairs.append((item, written.key_points))
        spoken_pairs.append((item, spoken.key_points))
        lost_here = set(spoken.terms_missing) - set(written.terms_missing)
        missed_written += len(written.terms_missing)
        missed_spoken += len(spoken.terms_missing)
        lost += len(lost_here)
        hinted_lost += len(lost_here & set(spoken.terms_heard_as))
        hints += [f"{item.question_id}: {t} <- {h!r}{'' if t in lost_here else ' (not lost)'}"
                  for t, h in spoken.terms_heard_as.items()]
    errors = _errors([a.answer for a in items], texts)
    words = sum(len(normalize_text(a.answer)) for a in items)
    return {
        "answers": len(items),
        "words": words,
        "word_errors": errors,
        "wer": round(sum(errors.values()) / words, 4) if words else None,
        "key_points": {"spoken": _coverage_counts(spoken_pairs),
                       "written": _coverage_counts(written_pairs)},
        "key_terms": {"missed_written": missed_written, "missed_spoken": missed_spoken,
                      "lost_by_recognizer": lost, "hints_shown": len(hints),
                      "hints_on_lost_terms": hinted_lost, "hints": hints},
    }


def evaluate_simulated_fillers(settings: Settings | None = None, answers: int = 8,
                               fillers_per_sentence: float = 0.8) -> dict:
    """Filled pauses the simulated candidate puts into bank answers (piper voice, a -60 dBFS
    noise floor), found by the pipeline and matched by word alignment against its script: a
    second, synthetic check beside the AMI clips, with every filled pause known."""
    from oral_sim.config import TtsConfig
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.candidate import SimulatedCandidate
    from oral_sim.engine.pipeline import transcribe_source
    from oral_sim.engine.tts import get_voice

    settings = settings or Settings()
    questions = load_bank().all_questions()
    picked = questions[:: max(1, len(questions) // answers)][:answers]  # spread over the bank
    voice = get_voice(TtsConfig())
    found = in_ref = written = 0
    for i, question in enumerate(picked):
        candidate = SimulatedCandidate(voice, question.reference_answer,
                                       fillers=fillers_per_sentence, seed=i, noise_dbfs=-60)
        words = [w.word for w in transcribe_source(candidate, settings).transcript.words]
        f, r, w = filled_pause_matches(candidate.script, words)
        found, in_ref, written = found + f, in_ref + r, written + w
    return {
        "answers": len(picked),
        "filled_pauses": in_ref,
        "recall": round(found / in_ref, 3) if in_ref else None,
        "precision": round(found / written, 3) if written else None,
        "found": written,
        "matched": found,
    }


def evaluate_spoken_filler_labels(settings: Settings | None = None, limit: int | None = None,
                                  held_out_only: bool = True) -> dict:
    """The marked utterances (`calibration.evaluate_filler_labels`) spoken by the piper voice
    (-60 dBFS noise floor, as the simulated candidate), transcribed by the pipeline, and the
    fillers found in the transcript matched to the marked ones by word alignment (jiwer's):
    what the rules do with the recognizer's words and commas rather than the written ones. A
    found filler counts when its first word stands against the first word of a marked filler of
    the same kind. Beside it, the same utterances as text."""
    import jiwer

    from oral_sim.config import TtsConfig
    from oral_sim.engine.calibration import (
        _read_jsonl,
        _tagged_text,
        count_matches,
        precision_recall,
    )
    from oral_sim.engine.candidate import SimulatedCandidate
    from oral_sim.engine.fillers import find_fillers, tokens_from_text, tokens_from_words
    from oral_sim.engine.pipeline import transcribe_source
    from oral_sim.engine.tts import get_voice

    settings = settings or Settings()
    items = _read_jsonl(locations.filler_labels_file(), "a tagged utterance", _tagged_text)
    if held_out_only:
        items = [i for i in items if not i.id.startswith("A")]
    items = items[:limit]
    voice = get_voice(TtsConfig())
    counts: dict[str, dict[str, list[int]]] = {"spoken": {}, "text": {}}
    for n, item in enumerate(items):
        ref = tokens_from_text(item.text)
        gold = {(start, kind) for start, _, kind in item.fillers}
        candidate = SimulatedCandidate(voice, item.text, seed=n, noise_dbfs=-60)
        hyp = tokens_from_words(transcribe_source(candidate, settings).transcript.words)
        to_ref: dict[int, int] = {}
        if ref and hyp:
            out = jiwer.process_words(" ".join(t.norm for t in ref), " ".join(t.norm for t in hyp))
            for chunk in out.alignments[0]:
                if chunk.type in ("equal", "substitute"):
                    for k in range(chunk.hyp_end_idx - chunk.hyp_start_idx):
                        to_ref[chunk.hyp_start_idx + k] = chunk.ref_start_idx + k
        spoken = {(to_ref.get(f.index, -1), f.kind) for f in find_fillers(hyp)}
        written = {(f.index, f.kind) for f in find_fillers(ref)}
        for side, found in (("spoken", spoken), ("text", written)):
            count_matches(counts[side], gold, found, lambda key: [key[1]])
    return {"utterances": len(items), "set": "held out (B)" if held_out_only else "all",
            **{side: {kind: precision_recall(*c) for kind, c in sorted(by.items())}
               for side, by in counts.items()}}
