"""The typing sample is also a program: it must run, not only type-check."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest


def test_the_typing_sample_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(Path(__file__).parent / "typecheck" / "sample.py"), run_name="__main__")
    assert "the whole API ran" in capsys.readouterr().out
