"""Observability of the running portal: structured logs (logs), Prometheus metrics (metrics) and readiness
checks (readiness). The web side (/healthz, /readyz, /metrics and the per-request hooks) is in
sherloc.web.health; gunicorn's settings are in sherloc.gunicorn_conf.

Importing this package imports nothing else: the gunicorn master loads `logs` before it forks workers and
must not import prometheus_client before PROMETHEUS_MULTIPROC_DIR is set (see metrics).
"""
