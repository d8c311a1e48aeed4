"""The engine never imports textual or rich, and importing oral_sim stays cheap."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import oral_sim.engine


def _engine_modules() -> list[str]:
    return sorted(
        f"oral_sim.engine.{m.name}" for m in pkgutil.iter_modules(oral_sim.engine.__path__)
    )


@pytest.mark.parametrize("module", _engine_modules())
def test_engine_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulled in {out.stdout.strip()}"


def test_importing_package_and_cli_loads_no_model_library() -> None:
    code = (
        "import sys, oral_sim, oral_sim.cli\n"
        "oral_sim.cli.build_parser()\n"
        "heavy = ('torch', 'sentence_transformers', 'faster_whisper', 'ctranslate2', 'piper', 'transformers')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_offline_switches_are_set_on_import() -> None:
    code = "import os, oral_sim; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin", "HF_HUB_OFFLINE": "0"})
    assert out.stdout.split() == ["1", "1"]
