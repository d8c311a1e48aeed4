"""The sentence embedder (all-MiniLM-L6-v2), run by onnxruntime once it has been exported.

sentence-transformers is the reference, and the way the model is first loaded. But importing it
costs about 10 s of a 2-core machine (torch, transformers, scikit-learn, scipy) and about 230 MB,
for a network that is a small BERT, a mean over its tokens and a division by the length. So the
first load also exports the same network, from the same bundled weights, to ONNX
(`torch.onnx`, under the data home's cache), checks that it gives the same vectors, and every
later load runs that file with onnxruntime (already loaded for the piper voice) and the model's
own tokenizer (`tokenizers`, the fast tokenizer sentence-transformers itself uses): about 0.5 s.
The vectors agree to 3.1e-7 (3,000 SemEval texts; BENCHMARKS.md, 2026-12-02 late morning).

`load` gives the ONNX embedder when a valid export for these weights exists, else None;
`export` makes one. Both embedders have the same `encode` call.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from oral_sim import locations

#: The model's own limit (sentence_bert_config.json); longer texts are cut there, as
#: sentence-transformers does.
MAX_TOKENS = 256
#: Bumped when the export changes, so an older file is made again (2: attention exported in its
#: plain ("eager") form, which runs 1.2x faster under onnxruntime than the traced scaled-dot-product
#: form, same vectors within 2e-7: BENCHMARKS.md, 2026-12-04 evening).
EXPORT_FORMAT = 2
#: Largest difference allowed between the exported and the reference vectors on the probe texts.
TOLERANCE = 1e-4
#: Texts the export is checked on: short and long, one over MAX_TOKENS (cut), one empty-ish.
PROBES = (
    "Bias is error from wrong assumptions; variance is sensitivity to the training set.",
    "um",
    "So, I mean, we shipped it.",
    " ".join(["Regularization adds a penalty on the weights to the loss."] * 40),
)


def _fingerprint(model_dir: Path) -> dict:
    """What the export was made from: the weights' size and time, and the format."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    return {"format": EXPORT_FORMAT, "weights": str(weights), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns}


def _sidecar(onnx_path: Path) -> Path:
    return onnx_path.with_suffix(".json")


class OnnxEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: tokens, the network, a mean over the real tokens,
    scaled to unit length (the model's own modules). `encode` takes sentence-transformers'
    arguments; `normalize_embeddings` changes nothing, as for this model there."""

    def __init__(self, onnx_path: Path, model_dir: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        """The model's own fast tokenizer, cut at MAX_TOKENS and padded to each batch's longest."""
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        # no arena nor memory patterns: a pool grown by the longest batch is never given back
        # (as for the voice, tts._inference_session)
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        self.session = onnxruntime.InferenceSession(str(onnx_path), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
        """The exported network: token ids, attention mask and token types in, token vectors out."""

    def encode(self, texts: list[str] | str, batch_size: int = 32, normalize_embeddings: bool = False,
               show_progress_bar: bool = False, convert_to_numpy: bool = True) -> np.ndarray:
        """One 384-dimensional row per text (one row for a single string, as
        sentence-transformers gives). Longest texts are batched together, so little is padded."""
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        out = np.zeros((len(batch), 384), dtype=np.float32)
        order = sorted(range(len(batch)), key=lambda i: -len(batch[i]))
        for start in range(0, len(order), max(1, batch_size)):
            index = order[start:start + max(1, batch_size)]
            encoded = self.tokenizer.encode_batch([batch[i] for i in index])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            types = np.array([e.type_ids for e in encoded], dtype=np.int64)
            tokens = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            vectors = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            # the model's own last module (modules.json: Normalize), so always, as the reference
            vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            out[index] = vectors
        return out[0] if single else out


def is_exported(model_dir: Path, onnx_path: Path | None = None) -> bool:
    """Whether an export of these weights is on disk (what `load` will try)."""
    onnx_path = onnx_path or locations.embedder_onnx_path()
    try:
        made_from = json.loads(_sidecar(onnx_path).read_text(encoding="utf-8"))
        return made_from == _fingerprint(model_dir) and onnx_path.is_file()
    except (OSError, ValueError):
        return False


def load(model_dir: Path, onnx_path: Path | None = None) -> OnnxEmbedder | None:
    """The ONNX embedder, when an export of these weights that passed its check is on disk;
    None otherwise (then the caller loads sentence-transformers and may `export`)."""
    onnx_path = onnx_path or locations.embedder_onnx_path()
    if not is_exported(model_dir, onnx_path):
        return None
    try:
        return OnnxEmbedder(onnx_path, model_dir)
    except Exception:  # no export yet, or a broken one: the reference path is taken
        return None


def export(reference: Any, model_dir: Path, onnx_path: Path | None = None) -> Path | None:
    """Export the network of `reference` (a loaded SentenceTransformer) to ONNX, check it against
    `reference` on PROBES, and keep it only when the vectors agree within TOLERANCE. Returns the
    file's path, or None when it could not be made (the reference keeps working)."""
    onnx_path = onnx_path or locations.embedder_onnx_path()
    partial = onnx_path.with_name(f"{onnx_path.stem}.{os.getpid()}.partial.onnx")
    try:
        _remove_abandoned(onnx_path.parent)
        import torch

        # a copy: the reference may be embedding an answer in another thread meanwhile
        bert = copy.deepcopy(reference[0].auto_model).eval()
        if hasattr(bert, "set_attn_implementation"):
            bert.set_attn_implementation("eager")

        class Network(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, ids: Any, mask: Any, types: Any) -> Any:
                return self.bert(input_ids=ids, attention_mask=mask,
                                 token_type_ids=types).last_hidden_state

        locations.ensure_private_dir(onnx_path.parent)
        sample = reference.tokenizer(["a short one", "and a somewhat longer second one"],
                                     padding=True, return_tensors="pt")
        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes are for torch's developers
            torch.onnx.export(
                Network().eval(),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(partial), input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["tokens"], opset_version=17, dynamo=False,
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                              "tokens": axes})
        ours = OnnxEmbedder(partial, model_dir).encode(list(PROBES), normalize_embeddings=True)
        theirs = reference.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False)
        if float(np.abs(ours - theirs).max()) > TOLERANCE:
            partial.unlink(missing_ok=True)
            return None
        os.replace(partial, onnx_path)  # whole or not at all: another process may be reading
        _sidecar(onnx_path).write_text(json.dumps(_fingerprint(model_dir)), encoding="utf-8")
        return onnx_path
    except Exception:
        # nowhere to write (ORAL_SIM_HOME a file, a full disk) leaves nothing to remove either:
        # that second error came out of the thread as a traceback
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return None


def _remove_abandoned(folder: Path, older_than_s: float = 600.0) -> None:
    """Partial exports left by a process that ended mid-export (another may be writing one now:
    only old ones go)."""
    for stale in folder.glob("*.partial.onnx"):
        try:
            if time.time() - stale.stat().st_mtime > older_than_s:
                stale.unlink()
        except OSError:
            pass
