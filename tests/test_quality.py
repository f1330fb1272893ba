"""The code gate: ruff and mypy are part of the suite, so the README's test command runs them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sherloc.settings import REPO_ROOT

BIN = Path(sys.executable).parent  # the virtual environment the tests run in


@pytest.mark.parametrize("args", [["ruff", "check", "sherloc", "tests", "benchmarks"], ["mypy"]])
def test_code_gate(args: list[str]) -> None:
    result = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
