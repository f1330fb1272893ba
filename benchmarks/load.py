"""Load test: mixed search, record, map and country requests from wrk against gunicorn on loopback.

    .venv/bin/python benchmarks/load.py [--data DIR] [--duration 60] [--connections 50] [--threads 2]
        [--workers N] [--seed 1]

The portal is served as `sherloc serve` serves it (gunicorn, sherloc/gunicorn_conf.py, one sync worker per
core unless --workers) on a store in --data (SHERLOC_DATA_DIR layout). Without --data the bundled demo
corpus is set up in a temporary folder (`sherloc setup --corpus corpus`); --data /tmp/sherloc-bench-corpora
is the store of all of ../shared/corpora that benchmarks/search_corpora.py builds (95,036 records).

wrk (Debian: apt-get install wrk) keeps --connections connections open for --duration seconds, each sending
its next request as soon as the last answer is read. The requests are drawn at random from a mix built
from the store (seeded):

  45%  search   the queries of benchmarks/search_queries.txt: half as the search page, half as the API
  30%  record   record pages of laws, provisions, decisions and other kinds, picked from the store
  10%  map      the world map page, with and without filters
  15%  country  country profiles and the countries list

Rate limits are off for the run (SHERLOC_RATE_LIMITS=off): wrk is one address, and the run measures what
the server sustains, not the limiter. Prints requests/s, latency percentiles (wrk's, over every request),
errors by kind (connect, read, write, timeout, and answers that were not 2xx/3xx), and the CPU taken by
the server and by wrk on the same cores. Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import func, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.search_corpora import gunicorn, load_queries, machine_facts  # noqa: E402
from sherloc.db import make_engine, upgrade  # noqa: E402
from sherloc.models import Record  # noqa: E402

MIX = {"search": 45, "record": 30, "map": 10, "country": 15}
SAMPLE = 2000  # requests in the mix file; wrk picks among them at random

# wrk's script: each thread reads the mix, picks a request at random per call; done() prints the summary
# as one JSON line for this program to read.
WRK_LUA = r"""
local paths = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(tonumber(args[2]) * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nSUMMARY {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.0f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
"""


def prepare_demo(data: Path) -> None:
    """The bundled demo corpus set up in `data`, as the README's first command does."""
    sherloc = shutil.which("sherloc", path=str(Path(sys.executable).parent)) or "sherloc"
    env = {**os.environ, "SHERLOC_DATA_DIR": str(data), "SHERLOC_SECRET_KEY": "bench"}
    subprocess.run([sherloc, "setup", "--corpus", str(REPO / "corpus")], env=env, check=True)


def build_mix(data: Path, seed: int) -> tuple[list[str], dict[str, int]]:
    """SAMPLE request paths drawn by MIX from the store in `data`, and how many of each kind."""
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{data / 'sherloc.db'}")
    upgrade(engine)  # a store made by an older version is migrated, as `sherloc setup` would
    with engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(select(Record.kind).distinct())]
        records: list[str] = []
        for kind in sorted(kinds):  # a few of every kind, so rare kinds' pages are in the mix too
            ids = conn.execute(
                select(Record.id).where(Record.kind == kind).order_by(func.random()).limit(200)
            ).scalars()
            records += list(ids)
        countries = sorted(
            c for (c,) in conn.execute(select(Record.country).distinct()) if c and len(c) == 2 and c.isalpha()
        )
    engine.dispose()
    queries = [q for q in load_queries() if not q.expect_error]
    filters = [
        "",
        "?kind=law",
        "?crime_type=money_laundering",
        "?language=fr",
        "?year_from=2000&year_to=2020",
    ]

    def search() -> str:
        query = rng.choice(queries)
        if rng.random() < 0.5:
            return query.url()
        pairs = [("q", query.text), *[(k, v) for k, vs in query.filters.items() for v in vs]]
        return "/search?" + urlencode(pairs)

    def record() -> str:
        prefix = rng.choice(["", "", "/fr", "/ar", "/zh"])
        return f"{prefix}/records/{quote(rng.choice(records), safe='')}"

    def world_map() -> str:
        return "/map" + rng.choice(filters)

    def country() -> str:
        return rng.choice(["/countries", *[f"/countries/{c}" for c in countries]])

    makers = {"search": search, "record": record, "map": world_map, "country": country}
    kinds_drawn = rng.choices(list(MIX), weights=list(MIX.values()), k=SAMPLE)
    return [makers[k]() for k in kinds_drawn], {k: kinds_drawn.count(k) for k in MIX}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a data folder with a store and an index (default: demo)")
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: one per core)")
    parser.add_argument("--timeout", type=int, default=10, help="wrk's per-request timeout, s (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    os.environ["SHERLOC_RATE_LIMITS"] = "off"
    with tempfile.TemporaryDirectory(prefix="sherloc-load-") as tmp:
        work = Path(tmp)
        data = args.data
        if data is None:
            data = work / "data"
            prepare_demo(data)
        paths, drawn = build_mix(data, args.seed)
        (work / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
        (work / "mix.lua").write_text(WRK_LUA, encoding="utf-8")
        workers = args.workers or os.cpu_count() or 1
        print(machine_facts())
        print(f"store: {data}; mix of {SAMPLE} requests: " + ", ".join(f"{k} {n}" for k, n in drawn.items()))
        with gunicorn(data, (workers, "sync", 1), work / "gunicorn.log") as server:
            for path in sorted(set(paths))[:: max(1, len(set(paths)) // 50)]:  # warm up, and check a few
                with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=60) as answer:
                    answer.read()
            server_cpu = server.cpu_seconds()
            started = time.monotonic()
            run = subprocess.Popen(
                [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
                + [
                    "--timeout",
                    f"{args.timeout}s",
                    "-s",
                    str(work / "mix.lua"),
                    f"http://127.0.0.1:{server.port}",
                ]
                + ["--", str(work / "paths.txt"), str(args.seed)],
                stdout=subprocess.PIPE,
                text=True,
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            out, _ = run.communicate()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, now reaped, is in here
            wrk_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            wall = time.monotonic() - started
            server_cpu = server.cpu_seconds() - server_cpu
        if run.returncode != 0 or "SUMMARY " not in out:
            print(out)
            sys.exit(f"wrk failed with exit status {run.returncode}")
    summary = json.loads(out.split("SUMMARY ", 1)[1].splitlines()[0])
    seconds = summary["duration_us"] / 1e6
    errors = summary["errors"]
    failed = sum(errors.values())
    lat = {k: v / 1000 for k, v in summary["latency_us"].items()}
    print(
        f"gunicorn {workers} sync workers; wrk {args.threads} threads, {args.connections} connections, "
        f"{seconds:.0f} s"
    )
    rate = summary["requests"] / seconds
    print(f"requests: {summary['requests']:,} in {seconds:.1f} s = {rate:.1f} requests/s")
    print(
        f"latency ms: mean {lat['mean']:.1f}, p50 {lat['p50']:.1f}, p90 {lat['p90']:.1f}, "
        f"p99 {lat['p99']:.1f}, p99.9 {lat['p999']:.1f}, max {lat['max']:.1f}"
    )
    print(
        "errors: "
        + ", ".join(f"{k} {v}" for k, v in errors.items())
        + f" (status = answers not 2xx/3xx); {failed} in all"
    )
    print(
        f"CPU over {wall:.0f} s on {os.cpu_count()} cores: server {server_cpu:.0f} s, wrk {wrk_cpu:.0f} s, "
        f"transferred {summary['bytes'] / 2**20:.0f} MiB"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
