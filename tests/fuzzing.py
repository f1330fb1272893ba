"""Budgets for the property and fuzz suites: bounded in the test run (.ci/run), much longer on demand.

Every property test takes its settings from `budget(n)`: `n` examples in the test run, a hundred times
more under `HYPOTHESIS_PROFILE=long`:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz_*.py tests/test_query_parser.py

`database=None`: the work tree may be shared or read-only, so no .hypothesis/ folder is written; a failure
prints the example that made it, to paste into a regression test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
LONG_FACTOR = 100


def budget(examples: int, long_examples: int | None = None) -> settings:
    """Hypothesis settings for `examples` cases (`long_examples`, by default 100 times as many, under
    HYPOTHESIS_PROFILE=long).

    No deadline: a slow example is a benchmark's business, not a failure on a shared 2-core machine."""
    count = (long_examples or examples * LONG_FACTOR) if LONG else examples
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
