"""Ingest under faults: oversized files, and a run killed with SIGKILL at several points then re-run."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from sherloc.db import make_engine, make_session_factory
from sherloc.models import Record
from sherloc.search.backends import make_backend
from sherloc.settings import Settings
from tests.conftest import CORPUS, ingest_into

SOURCES = [
    CORPUS / "zh-cn-laws-lawrefbook",
    CORPUS / "es-es-laws-legalize-es",
    CORPUS / "fr-fr-codes-legalize-fr",
]


def _store(settings: Settings) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        rows = dict(session.execute(select(Record.id, Record.content_hash)).all())
    engine.dispose()
    return rows


def test_a_200_mb_file_is_reported_and_skipped(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    big = root / "huge.md"
    with big.open("wb") as f:  # sparse: takes no disk, reads as 200 MB
        f.truncate(200 * 2**20)
    shutil.copyfile(CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md", root / "aml.md")
    report = ingest_into(settings, [root])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["huge.md"].status == "skipped" and "MB" in (by_name["huge.md"].message or "")
    assert by_name["aml.md"].status == "new"


def _ingested_files(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("select count(*) from ingested_files").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("clean"), secret_key="t")
    report = ingest_into(settings, SOURCES)
    assert report.count("failed") == 0
    return _store(settings)


@pytest.mark.parametrize("kill_after_files", [0, 1, 3, 6])
def test_killed_ingest_rerun_equals_a_clean_run(
    kill_after_files: int, clean_run: dict[str, str], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="t")
    env = {**os.environ, "SHERLOC_DATA_DIR": str(settings.data_dir)}
    cli = [sys.executable, "-m", "sherloc.cli", "ingest", *map(str, SOURCES)]
    proc = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = settings.data_dir / "sherloc.db"
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if db.exists() and _ingested_files(db) >= kill_after_files:
            break
        time.sleep(0.01)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rerun = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _store(settings) == clean_run
    assert make_backend(settings).count() == len(clean_run)
