"""The no-network switches, set before any model library loads."""

from __future__ import annotations

import os

#: Environment variables that keep Hugging Face / transformers / sentence-transformers off the network.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # quiet: no progress bars or advisory warnings over the terminal UI
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def enforce_offline_env() -> None:
    """Force the offline switches on; a user setting cannot turn the network back on."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
