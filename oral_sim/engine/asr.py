"""On-device transcription with faster-whisper (CTranslate2, int8), with guards against Whisper's
known failure modes and decoding that keeps filler words.

- The model comes from a local folder only (bundled tiny.en, or a CT2 folder in `models/`).
- Silence and noise: utterances whose level is too low are never decoded; segments Whisper itself
  rates as probably not speech (high no-speech probability and low log-probability) are dropped.
- Repetition loops: segments with a high compression ratio are dropped, and any word n-gram
  repeated more than twice in a row is cut back to two (a real "I I" stays: it is a repetition
  the feedback reports).
- Fillers: Whisper was trained on transcripts that mostly omit "um"/"uh"; an initial prompt
  written with disfluencies makes it keep them (measured in `evaluation.py`, see BENCHMARKS.md).
- One window per utterance: faster-whisper moves on to a second 30 s window whenever the first
  decode does not end on a lone timestamp, even when all that is left is the utterance's trailing
  silence. That second pass cost a whole encoder run on 38 of 65 read-speech utterances and
  produced most of the invented endings ("Thank you for watching."). We decode one window and
  run a second pass only when voiced audio is left after the last word (BENCHMARKS.md).
- Skipped speech: the decoder sometimes jumps over seconds of speech inside the window (a gap
  between two words with loud audio in it) or stops early and spreads its last word over the
  rest. Such a stretch is decoded again on its own, with what was heard before it as context.
- A window the size of the utterance: the encoder is given the utterance plus 12 s of the
  padding (`window_frames`, `AsrConfig.window_pad_s`), not Whisper's whole 30 s: the same words
  for about a quarter less work, so the pass left when an answer is stopped ends sooner.
- Spellings: terms a listener cannot spell from the sound (SMOTE, XGBoost, INT8) are taken from
  the question's written subject and shown to the decoder before the question
  (`spelling_terms`); which words were said is still decided by the audio.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from oral_sim.config import AsrConfig
from oral_sim.engine.transcript import Segment, Word
from oral_sim.errors import ModelError

#: A prompt of filled pauses: Whisper continues in the style it is shown. On the AMI clips
#: (filled pauses matched by word alignment, with the soft-onset VAD) it keeps 10 of 13 at
#: precision 0.91. A longer disfluent passage ("Um, uh, so, um, I mean, like, uh, hmm, you know,
#: uh... Mm-hmm. Um, well, uh,") kept 11 at 0.92 with `drop_prompt_echoes`, but it ends
#: mid-sentence and turned an answer's first word "Supervised" into "supervise" on the live
#: PulseAudio path in 3 of about 10 runs (CI among them); a list of filled pauses never did.
#: This list without the "Um. Uh." the earlier one ended on: the same AMI figures and simulated
#: candidate (49 of 55), and on the same audio, fewer word errors (read speech 34 against 37,
#: plain 34; 68 spoken answers 804 against 814 of 9,628) and more fillers kept in the spoken
#: labelled utterances (filled pauses 72 against 69 of 85, repetitions 9 against 6 of 16)
#: (BENCHMARKS.md, 2026-12-04 later).
FILLER_PROMPT = "Um, uh, hmm, mm, er, ah."
#: Utterances quieter than this (RMS, dBFS) are not decoded: nothing to say there.
MIN_LEVEL_DBFS = -55.0
#: A segment Whisper thinks is probably not speech, with a low confidence, is dropped.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
#: Text that compresses this well is a repetition loop.
MAX_COMPRESSION_RATIO = 2.4
#: Repeats of the same n-gram beyond this are a loop, not a speaker repeating themself.
MAX_REPEATS = 2

_models: dict[tuple, Any] = {}
_lock = threading.Lock()
#: Per-thread switch: while set, the model refuses to start a second window (see `_model_class`).
_window = threading.local()


class _SecondWindow(Exception):
    """Raised inside faster-whisper's segment loop when it starts a window we did not ask for."""


def _model_class() -> type:
    """faster-whisper's WhisperModel, with a hook that ends its segment loop after the first
    window while `_window.single` is set on this thread, and one that cuts the window's padding
    to `_window.frames` when that is set (every other use is unchanged)."""
    from faster_whisper import WhisperModel

    class OneWindowWhisper(WhisperModel):
        def encode(self, features):  # noqa: ANN001, ANN202 - faster-whisper's signature
            if getattr(_window, "single", False):
                if getattr(_window, "encoded", False):
                    raise _SecondWindow
                _window.encoded = True
            frames = getattr(_window, "frames", None)
            if frames is not None and features.shape[-1] > frames:
                features = features[..., :frames]  # faster-whisper makes it contiguous
            return super().encode(features)

    return OneWindowWhisper


def load_whisper(config: AsrConfig | None = None) -> Any:
    """The Whisper model for `config`, loaded once per process from a local folder."""
    from oral_sim.engine import models, threads

    config = config or AsrConfig()
    path = models.whisper_model_dir(config.model)
    with _lock:
        count = threads.whisper_threads(path, config).threads
        key = (str(path), config.compute_type, count)
        model = _models.get(key)
        if model is not None:
            return model
        try:
            model = _model_class()(
                str(path),
                device="cpu",
                compute_type=config.compute_type,
                cpu_threads=count,
                local_files_only=True,
            )
        except Exception as exc:
            raise ModelError(
                f"the Whisper model in {path} could not be loaded ({exc})",
                "reinstall with `make run`, or put a CTranslate2 Whisper folder in models/ "
                "(see models/README.md)",
            ) from None
        _models[key] = model
        return model


def level_dbfs(audio: np.ndarray) -> float:
    """RMS level of int16 (or float in [-1, 1]) audio, in dB below full scale."""
    x = audio.astype(np.float64)
    if audio.dtype == np.int16:
        x /= 32768.0
    rms = float(np.sqrt(np.mean(x * x))) if len(x) else 0.0
    return 20 * np.log10(max(rms, 1e-10))


#: At most this many spellings are shown (`spelling_terms`; about 60 of the prompt's 223 tokens).
MAX_SPELLINGS = 24
#: A name (capitalised inside a sentence) Whisper's tokenizer cuts into this many pieces or more
#: is one it may not know how to spell ("Kafka", "Tecton", "Fairlearn"; "Python" is one piece).
NAME_TOKENS = 2


def spelling_terms(text: str, tokenizer: Any, limit: int = MAX_SPELLINGS) -> list[str]:
    """The words of `text` whose spelling cannot be heard, in order, once each: capitals inside
    the word (SMOTE, XGBoost, ReLU), letters with digits (INT8, L1), and names inside a
    sentence that Whisper's tokenizer does not hold whole (`NAME_TOKENS`). Hyphenated words
    are judged part by part. Lower-case words are never shown, however rare: shown
    "unlabeled", Whisper heard "on a labeled dataset" as "on unlabeled dataset"."""
    out: list[str] = []
    seen: set[str] = set()
    sentence_start = True
    for raw in (text or "").split():
        first_part = True
        for part in re.split(r"[-/.]", raw):
            part = part.strip(".,;:!?()[]{}\"'")
            key = part.lower()
            starts = sentence_start and first_part
            first_part = False
            if len(part) < 2 or key in seen or not part.isalnum() or part.isdigit():
                continue
            spelled = (any(c.isupper() for c in part[1:])
                       or (any(c.isdigit() for c in part) and any(c.isalpha() for c in part)))
            name = (part[0].isupper() and not starts
                    and len(tokenizer.encode(" " + part, add_special_tokens=False).ids) >= NAME_TOKENS)
            if spelled or name:
                seen.add(key)
                out.append(part)
                if len(out) == limit:
                    return out
        sentence_start = raw.rstrip("\"')").endswith((".", "?", "!", ":"))
    return out


def transcribe_array(
    model: Any,
    audio: np.ndarray,
    offset_s: float = 0.0,
    config: AsrConfig | None = None,
    prompt: str | None = None,
    lead: str | None = None,
) -> tuple[list[Word], list[Segment]]:
    """Transcribe one utterance (16 kHz mono, int16 or float32); times are shifted by `offset_s`
    onto the answer's timeline. `prompt` is extra context (the answer so far), `lead` context
    read before the filler prompt (the question asked)."""
    config = config or AsrConfig()
    if len(audio) < 1600 or level_dbfs(audio) < MIN_LEVEL_DBFS:
        return [], []
    samples = audio.astype(np.float32) / 32768.0 if audio.dtype == np.int16 else audio
    initial = " ".join(p for p in (lead, FILLER_PROMPT if config.filler_prompt else None, prompt)
                       if p) or None
    words, segs = _decode(model, samples, offset_s, config, initial)
    from oral_sim.engine.voice import loud_frames

    loud = loud_frames(samples)  # one look at the levels for the three checks below
    stretched = stretched_word(samples, words, offset_s, loud)
    if stretched is not None:
        # the decoder stopped early and its last words were stretched over the speech it did
        # not write: hear again from the first such word
        start_s = words[stretched].start_s  # where to hear again when no word is kept
        words = words[:stretched]
        segs = regroup_segments(segs, words)
        rest: int | None = int(max(0.0, start_s - offset_s) * SAMPLE_RATE_HZ)
    else:
        rest = unheard_speech_start(samples, words, offset_s, loud)
    if rest is not None:
        # the first window stopped before the speech did: decode what is left, with what was
        # heard as context (what faster-whisper's second window would do, minus the silence).
        # It starts on the last word heard, not after it: a decode that starts at a word's
        # onset tends to drop that word ("plus false It tells us", "positives" lost), and the
        # stretched word's own start can be misplaced. That word is then heard twice: one copy.
        if words:
            rest = int(max(0.0, words[-1].start_s - offset_s) * SAMPLE_RATE_HZ)
        heard = " ".join(w.word for w in words[:-1])
        more_words, more_segs = _decode(model, samples[rest:], offset_s + rest / SAMPLE_RATE_HZ,
                                        config, f"{initial} {heard}" if initial else heard or None)
        words = stitch(words, more_words)
        segs = regroup_segments(segs + more_segs, words)
    for index, start, end in reversed(skipped_stretches(samples, words, offset_s, loud)):
        # the decoder jumped over speech inside the window: decode that stretch alone, with
        # what was heard before it as context, and put its words in their place
        heard = " ".join(w.word for w in words[:index])
        found, found_segs = _decode(model, samples[start:end], offset_s + start / SAMPLE_RATE_HZ,
                                    config, f"{initial} {heard}" if initial else heard)
        found = _without_edge_repeats(found, words[index - 1], words[index])
        # the window's last word opening the stretch was misplaced: the decoder wrote it, jumped
        # the speech after it and aligned it to the end ("positives. It", "It" at 9.9 s; the
        # stretch from 5.4 s is "It tells us ... positive?")
        misplaced = bool(found) and index == len(words) - 1 and _key(found[0]) == _key(words[index])
        if found:
            words = words[:index] + found + ([] if misplaced else words[index:])
            segs = regroup_segments(sorted(segs + found_segs, key=lambda s: s.start_s), words)
    words, segs = drop_tail_guess(words, segs, config)
    if not prompt or prompt.rstrip()[-1:] in (".", "?", "!"):
        words, segs = capitalize_start(words, segs)
    return words, segs


def capitalize_start(words: list[Word], segments: list[Segment]) -> tuple[list[Word], list[Segment]]:
    """The first word capitalized: after a filler prompt that ends mid-sentence ("... well, uh,",
    tried in 2026-11) Whisper started answers in lower case; the answer's first word, or an
    utterance's after a finished sentence, starts with a capital whatever the prompt."""
    if not words or not words[0].word[:1].islower():
        return words, segments
    first = words[0].word
    words = [replace(words[0], word=first[0].upper() + first[1:]), *words[1:]]
    if segments and segments[0].text.startswith(first):
        seg = segments[0]
        segments = [replace(seg, text=words[0].word + seg.text[len(first):]), *segments[1:]]
    return words, segments


def drop_tail_guess(words: list[Word], segments: list[Segment],
                    config: AsrConfig) -> tuple[list[Word], list[Segment]]:
    """Without the utterance's last segment when it is a lone low-probability word that is not a
    filled pause (`AsrConfig.drop_tail_guess`)."""
    if (config.drop_tail_guess and len(segments) >= 2 and words
            and _is_tail_guess(words[-1], segments[-1])):
        return words[:-1], segments[:-1]
    return words, segments


SAMPLE_RATE_HZ = 16000
#: Loud audio after the last word, at least this long (about a syllable), means the first window
#: stopped early; less is the last word's release or a breath (0.15-0.18 s seen on read speech,
#: where the real cases had 0.8 s and 2.6 s left).
UNHEARD_MIN_S = 0.3
#: ... not counting this much right after the last word (its release, which Whisper's word end
#: often leaves out).
UNHEARD_GRACE_S = 0.1


def unheard_speech_start(samples: np.ndarray, words: list[Word], offset_s: float,
                         loud: np.ndarray | None = None) -> int | None:
    """Sample index from which the utterance still has speech that no word covers (None when
    only silence, breath or the last word's release is left). `loud`: `voice.loud_frames` of
    `samples`, when already worked out."""
    from oral_sim.engine.voice import FRAME_S, loud_frames

    loud = loud_frames(samples) if loud is None else loud
    if not len(loud):
        return None
    after_s = (words[-1].end_s - offset_s + UNHEARD_GRACE_S) if words else 0.0
    first = int(np.ceil(after_s / FRAME_S))
    if loud[first:].sum() * FRAME_S < UNHEARD_MIN_S:
        return None
    start_s = max(0.0, (words[-1].end_s - offset_s) if words else 0.0)
    return min(len(samples), int(start_s * SAMPLE_RATE_HZ))


#: Two recognised words this far apart (seconds) ...
SKIPPED_GAP_S = 1.5
#: ... with at least this much loud audio between them: the decoder skipped speech (seen with
#: a longer prompt: "them." at 35.4 s, then "That's" at 40.5 s, and the 5 s of speech between
#: them, "pipeline parallelism, where you split...", not in the text). A held filled pause or a
#: breath is shorter; `voiced_gaps` handles those.
SKIPPED_MIN_S = 1.0


def skipped_stretches(samples: np.ndarray, words: list[Word], offset_s: float,
                      loud: np.ndarray | None = None) -> list[tuple[int, int, int]]:
    """(index of the word after the gap, first sample, end sample) of each stretch between two
    recognised words that has speech no word covers (`SKIPPED_GAP_S`, `SKIPPED_MIN_S`;
    `loud` as for `unheard_speech_start`)."""
    from oral_sim.engine.voice import FRAME_S, loud_frames

    out: list[tuple[int, int, int]] = []
    gaps = [i for i in range(1, len(words))
            if words[i].start_s - words[i - 1].end_s >= SKIPPED_GAP_S]
    if not gaps:
        return out
    loud = loud_frames(samples) if loud is None else loud
    for i in gaps:
        a_s, b_s = words[i - 1].end_s - offset_s, words[i].start_s - offset_s
        first = int(np.ceil((a_s + UNHEARD_GRACE_S) / FRAME_S))
        last = int((b_s - UNHEARD_GRACE_S) / FRAME_S)
        if loud[first:max(first, last)].sum() * FRAME_S >= SKIPPED_MIN_S:
            out.append((i, int(a_s * SAMPLE_RATE_HZ), int(b_s * SAMPLE_RATE_HZ)))
    return out


#: A word (not a filled pause) this long (seconds) ...
STRETCHED_WORD_S = 1.5
#: ... over at least this much loud audio is not one word: the decoder stopped writing and the
#: word timing spread its last words over the rest ("explain the" at 5.1 s, "the" reaching to
#: 11.8 s, and "precision-recall trade-off in our fraud model..." not in the text).
STRETCHED_LOUD_S = 1.2


def stretched_word(samples: np.ndarray, words: list[Word], offset_s: float,
                   loud: np.ndarray | None = None) -> int | None:
    """Index of the first word that spans more speech than one word can (`STRETCHED_WORD_S`,
    `STRETCHED_LOUD_S`; `loud` as for `unheard_speech_start`), or None."""
    from oral_sim.engine.voice import FRAME_S, loud_frames

    long = [i for i, w in enumerate(words)
            if w.end_s - w.start_s >= STRETCHED_WORD_S and not _is_filled(w)]
    if not long:
        return None
    loud = loud_frames(samples) if loud is None else loud
    for i in long:
        first = int((words[i].start_s - offset_s) / FRAME_S)
        last = int(np.ceil((words[i].end_s - offset_s) / FRAME_S))
        if loud[max(0, first):last].sum() * FRAME_S >= STRETCHED_LOUD_S:
            return i
    return None


#: Two words whose times overlap by at least this share of the longer one are one sound.
SAME_SOUND_OVERLAP = 0.5


def same_sound(a: Word, b: Word) -> bool:
    """Whether two words decoded from overlapping windows cover the same stretch of audio:
    `SAME_SOUND_OVERLAP` of the longer, so a short word Whisper squeezed against the next ("the"
    at 1.20-1.20 s, "transcript," at 1.20-1.47 s) is not the next word; two words of no length:
    the same start within 50 ms."""
    longer = max(a.end_s - a.start_s, b.end_s - b.start_s)
    if longer <= 0:
        return abs(a.start_s - b.start_s) <= 0.05
    overlap = min(a.end_s, b.end_s) - max(a.start_s, b.start_s)
    return overlap >= SAME_SOUND_OVERLAP * longer


def stitch(words: list[Word], more: list[Word]) -> list[Word]:
    """The first window's words and those of the decode of what was left, which starts on the
    first window's last word: that word heard twice is kept once."""
    if not words or not more:
        return words + more
    last, first = words[-1], more[0]
    if _key(first) == _key(last):
        return words[:-1] + more
    if _is_filled(last) and _is_filled(first):
        # a held "ummm" outlasts Whisper's word end: the same pause heard twice
        return words + more[1:]
    if not _is_filled(last) and not _is_filled(first) and same_sound(last, first):
        # heard again but written another way ("printing" 0.99, then "renting" 0.00 over the
        # same 0.4 s; "page" / "stage"): one word, the surer copy
        return words[:-1] + more if first.probability > last.probability else words + more[1:]
    return words + more  # not heard again: the first window's copy stays


def _without_edge_repeats(found: list[Word], before: Word, after: Word) -> list[Word]:
    """Words decoded from a skipped stretch, without a copy of the word on either side of it
    heard again at the stretch's edge."""
    edge_s = 0.3
    if found and _key(found[0]) == _key(before) and found[0].start_s - before.end_s < edge_s:
        found = found[1:]
    if found and _key(found[-1]) == _key(after) and after.start_s - found[-1].end_s < edge_s:
        found = found[:-1]
    return found


#: Whisper's window: 30 s of log-mel frames, 100 a second.
WINDOW_FRAMES = 3000


def window_frames(samples: int, pad_s: float) -> int | None:
    """How many log-mel frames of the 30 s window the encoder is given for an utterance of
    `samples`: the utterance plus `pad_s` of the silence faster-whisper pads it with (an even
    number, for the encoder's stride-2 convolution), or None for the whole window. Whisper
    needs that padding to hear where the speech ends: with 3-5 s it dropped words at the end
    (read speech: 31 / 21 deletions against 8); with 10-15 s the words were as good as with
    30 s, and the encoder and every decoding step do less work (BENCHMARKS.md)."""
    frames = int(np.ceil(samples / SAMPLE_RATE_HZ * 100 + pad_s * 100))
    frames += frames % 2
    return frames if frames < WINDOW_FRAMES else None


def _decode(
    model: Any, samples: np.ndarray, offset_s: float, config: AsrConfig, initial: str | None
) -> tuple[list[Word], list[Segment]]:
    """One Whisper window over `samples` (at most 30 s), guarded; words on the answer timeline."""
    words: list[Word] = []
    segs: list[Segment] = []
    _window.single = len(samples) <= 30 * SAMPLE_RATE_HZ
    _window.encoded = False
    _window.frames = window_frames(len(samples), config.window_pad_s)
    try:
        segments, _info = model.transcribe(
            samples,
            language=config.language,
            beam_size=config.beam_size,
            temperature=list(config.temperatures),
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=initial,
            vad_filter=False,
            suppress_blank=True,
            compression_ratio_threshold=MAX_COMPRESSION_RATIO,
            no_speech_threshold=NO_SPEECH_PROB,
            log_prob_threshold=LOW_LOGPROB,
        )
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            # the segment's own text: faster-whisper's figure is the whole window's, so a loop
            # after a good segment threw the good one away too (the first 10.7 s of a 25 s
            # answer lost, 2026-12-02)
            text = getattr(seg, "text", None) or "".join(w.word for w in seg.words or [])
            if _compression_ratio(text) > MAX_COMPRESSION_RATIO:
                continue
            seg_words = join_word_pieces(join_unspaced([
                (w.word, Word(w.word.strip(), float(offset_s + w.start), float(offset_s + w.end),
                              float(w.probability)))
                for w in (seg.words or [])
                if w.word.strip()
            ]))
            seg_words = drop_impossible_runs(drop_squeezed_repeats(collapse_loops(
                drop_prompt_echoes(seg_words))))
            if not seg_words:
                continue
            text = " ".join(w.word for w in seg_words)
            words.extend(seg_words)
            segs.append(Segment(seg_words[0].start_s, seg_words[-1].end_s, text))
    except _SecondWindow:
        pass
    finally:
        _window.single = False
        _window.frames = None
    return words, segs


def _compression_ratio(text: str) -> float:
    """How much zlib shrinks the text: a repetition loop compresses well (Whisper's measure)."""
    from faster_whisper.transcribe import get_compression_ratio

    return get_compression_ratio(text) if text.strip() else 0.0


def continues_word(piece: str, previous: str) -> bool:
    """Whether `piece` is the part of `previous` faster-whisper split off at a hyphen ("Mm" +
    "-hmm.", "lower" + "-case"): one spoken word, not two (a counted "mm-hmm" was two filled
    pauses)."""
    return (piece.startswith("-") and len(piece) > 1
            and not previous.endswith((".", ",", "?", "!", ";", ":")))


def join_unspaced(pieces: list[tuple[str, Word]]) -> list[Word]:
    """faster-whisper's words as written: each of its word strings starts with a space where a
    new written word begins, so one that does not is the rest of the word before it ("2" +
    ".6", "5" + "%", "1" + ",200", "lower" + "-case"). Joined, "2.6 MB" reads as such and
    counts as the three words said ("two point six"), not "2 .6"."""
    return _joined([w for _, w in pieces], lambda i, _prev: not pieces[i][0][:1].isspace())


#: Longest gap between the halves of a backchannel written apart that are still one sound.
ONE_SOUND_GAP_S = 0.3


def join_word_pieces(words: list[Word]) -> list[Word]:
    """Words with the pieces split off at a hyphen joined back (`continues_word`), and a
    backchannel written as two words without a pause between them written as one ("Mm" "hmm."
    -> "Mm-hmm.", `fillers.one_sound`): the same sound Whisper usually writes with a hyphen."""
    from oral_sim.engine.fillers import one_sound

    words = [replace(w, word="-" + w.word)
             if i and one_sound(words[i - 1].word, w.word)
             and w.start_s - words[i - 1].end_s < ONE_SOUND_GAP_S else w
             for i, w in enumerate(words)]
    return _joined(words, lambda i, prev: continues_word(words[i].word, prev.word))


def _joined(words: list[Word], attached: Callable[[int, Word], bool]) -> list[Word]:
    """Each word `i` for which `attached(i, word before as joined so far)` holds, joined to the
    word before (spanning both, at the lower probability)."""
    out: list[Word] = []
    for i, w in enumerate(words):
        if out and attached(i, out[-1]):
            prev = out[-1]
            out[-1] = Word(prev.word + w.word, prev.start_s, w.end_s,
                           min(prev.probability, w.probability), prev.source)
        else:
            out.append(w)
    return out


#: A lone last word Whisper is less sure of than this is usually invented from the utterance's
#: trailing breath ("...the letters themselves. helps.", "...other cities. one.").
TAIL_GUESS_MAX_PROB = 0.5


def _is_tail_guess(word: Word, segment: Segment) -> bool:
    """The utterance's last segment is one word, not a filled pause, with low probability."""
    alone = segment.text.strip() == word.word.strip()
    return alone and word.probability < TAIL_GUESS_MAX_PROB and not _is_filled(word)


#: A filled pause Whisper gives less than this probability is the prompt's pattern carried on,
#: not something heard (see `drop_prompt_echoes`). Between the echoes seen (p 0.0000 and 0.0002,
#: AMI) and the least likely real filled pause (0.0018, an answer-opening "uh" of the simulated
#: candidate; on AMI 0.021): fitted to those two sets as far as such a gap allows.
ECHO_MAX_PROB = 0.001


def drop_prompt_echoes(words: list[Word]) -> list[Word]:
    """Without filled pauses the model itself gives under ECHO_MAX_PROB: the beam can carry a
    filled pause of the prompt on into the answer ("uh," p=0.0000 and 0.0002 opening two AMI
    utterances that had none) although the token was all but ruled out."""
    return [w for w in words if not (_is_filled(w) and w.probability < ECHO_MAX_PROB)]


def _is_filled(word: Word) -> bool:
    from oral_sim.engine.fillers import is_filled_pause

    return is_filled_pause(word.word)


def regroup_segments(segments: list[Segment], words: list[Word]) -> list[Segment]:
    """Segments rebuilt from the words that were kept (a dropped word leaves its segment's
    text; a segment with no word left goes). Each word belongs to one segment: the first whose
    span (50 ms of slack each side) holds its start."""
    out = []
    taken: set[int] = set()
    for seg in segments:
        inside = [i for i, w in enumerate(words) if i not in taken and w.source == "asr"
                  and seg.start_s - 0.05 <= w.start_s <= seg.end_s + 0.05]
        if inside:
            taken.update(inside)
            first, last = words[inside[0]], words[inside[-1]]
            out.append(Segment(first.start_s, last.end_s, " ".join(words[i].word for i in inside)))
    return out


def _key(word: Word) -> str:
    return "".join(c for c in word.word.lower() if c.isalnum())


def collapse_loops(words: list[Word], max_repeats: int = MAX_REPEATS) -> list[Word]:
    """Cut any 1-6 word n-gram repeated more than `max_repeats` times in a row back to
    `max_repeats` (Whisper's "the the the the..." loops)."""
    out = list(words)
    for n in range(1, 7):
        i = 0
        result: list[Word] = []
        while i < len(out):
            gram = [_key(w) for w in out[i : i + n]]
            if len(gram) < n or not all(gram):
                result.append(out[i])
                i += 1
                continue
            reps = 1
            while [_key(w) for w in out[i + reps * n : i + (reps + 1) * n]] == gram:
                reps += 1
            if reps > max_repeats:
                result.extend(out[i : i + max_repeats * n])
                i += reps * n
            else:
                result.append(out[i])
                i += 1
        out = result
    return out


#: A phrase said again (2-4 words) in less than this share of the time it took the first time
#: was not said again: Whisper wrote its last words twice and aligned the copy to the scrap of
#: audio left ("of about 14-55. About 14-55.", the copy in 0.14 s against 1.22 s, LJ001-0007).
#: People repeat a phrase at about the speed they said it.
SQUEEZED_REPEAT_SHARE = 0.5


def drop_squeezed_repeats(words: list[Word]) -> list[Word]:
    """Without a phrase of 2-4 words written again right after itself in under
    `SQUEEZED_REPEAT_SHARE` of its first time (a repeated single word, a stutter, is kept)."""
    out = list(words)
    for n in (4, 3, 2):
        i = 0
        while i + 2 * n <= len(out):
            first, again = out[i:i + n], out[i + n:i + 2 * n]
            took = first[-1].end_s - first[0].start_s
            if ([_key(w) for w in first] == [_key(w) for w in again] and all(map(_key, first))
                    and again[-1].end_s - again[0].start_s < SQUEEZED_REPEAT_SHARE * took):
                del out[i + n:i + 2 * n]
                continue
            i += 1
    return out


#: Words closer together than this, three or more in a row, cannot have been spoken.
IMPOSSIBLE_GAP_S = 0.05


def drop_impossible_runs(words: list[Word], min_run: int = 3) -> list[Word]:
    """Drop runs of `min_run`+ words squeezed into almost no time (Whisper's invented endings,
    e.g. a whole "thank you for watching" stacked on the last 30 ms of audio)."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and words[j].start_s - words[j - 1].start_s < IMPOSSIBLE_GAP_S:
            j += 1
        if j - i >= min_run:
            i = j  # the whole run goes
            continue
        out.extend(words[i:j])
        i = j
    return out
