"""Real servers for the tests that need one: a free loopback port, and the portal under gunicorn started as
`sherloc serve` starts it (sherloc/gunicorn_conf.py), waited for, and stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sherloc.settings import Settings

GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Until something accepts connections on `port`; RuntimeError with `log` if `proc` ends first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace") if log.exists() else f"exit status {proc.returncode}"
                raise RuntimeError(said) from None
            time.sleep(0.1)


@contextmanager
def gunicorn(settings: Settings, log: Path, workers: int = 1, **env: str) -> Iterator[int]:
    """The portal on the store of `settings` under gunicorn with sherloc/gunicorn_conf.py on a free port
    (yielded), its output in `log`; `env` adds SHERLOC_* or other variables."""
    port = free_port()
    environ = {
        **os.environ,
        "SHERLOC_DATA_DIR": str(settings.data_dir),
        "SHERLOC_DATABASE_URL": settings.database_url,
        "SHERLOC_SECRET_KEY": settings.secret_key or "test",
        "SHERLOC_LISTEN": f"127.0.0.1:{port}",
        "SHERLOC_WORKERS": str(workers),
        **env,
    }
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(GUNICORN), "-c", "python:sherloc.gunicorn_conf", "sherloc.app:create_app()"],
            env=environ,
            stdout=out,
            stderr=out,
        )
    try:
        wait_for_port(port, proc, log)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
