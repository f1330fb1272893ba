"""benchmarks/load.py, run for a few seconds on the demo store: it serves, drives wrk, reads its figures and
finds no error. The figures themselves are the benchmark's business (60 s at 50 connections, see README)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from sherloc.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)


def test_a_short_load_run_ends_without_errors_and_prints_its_figures(demo_settings: Settings) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "load.py"), "--data", str(demo_settings.data_dir)]
        + ["--duration", "3", "--connections", "10", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"requests: [\d,]+ in [\d.]+ s = [\d.]+ requests/s", run.stdout), run.stdout
    assert re.search(r"latency ms: mean [\d.]+, p50 [\d.]+, p90 [\d.]+, p99 [\d.]+", run.stdout), run.stdout
    assert "0 in all" in run.stdout
    mix = re.search(r"search (\d+), record (\d+), map (\d+), country (\d+)", run.stdout)
    assert mix and all(int(n) > 0 for n in mix.groups()), run.stdout
