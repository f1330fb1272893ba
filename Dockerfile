# syntax=docker/dockerfile:1
# The portal's image: the sherloc package (installed, not editable), the demo corpus and the mappings.
#
# docker-compose.yml runs it three ways: `sherloc serve` (gunicorn) as the `app` service, and
# `sherloc setup` (migrate, ingest corpus/, build the index unless current) as the one-shot `init` job, against PostgreSQL
# and Elasticsearch. Alone, its default command is the embedded single-container quick start (SQLite and
# tantivy under /data, the demo corpus ingested on first start):
#   docker build -t sherloc . && docker run --rm -p 127.0.0.1:8000:8000 -v sherloc-demo:/data sherloc

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY sherloc ./sherloc
# With the redis extra: under compose, the workers count rate limits together in the redis service.
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[redis]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 sherloc \
    && useradd --system --uid 10001 --gid sherloc --home-dir /app --no-create-home --shell /usr/sbin/nologin sherloc
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels

WORKDIR /app
COPY corpus ./corpus
COPY mappings ./mappings
# /data is the data folder (a named volume in docker-compose.yml: a fresh volume takes this folder's owner);
# /run/sherloc-metrics is where gunicorn's workers share their Prometheus figures (a tmpfs under compose).
RUN mkdir -p /data /run/sherloc-metrics && chown sherloc:sherloc /data /run/sherloc-metrics

# The vocabulary's default is found next to the package's source, which an installed (not editable)
# package does not have: point at the copy in the image.
ENV SHERLOC_DATA_DIR=/data \
    SHERLOC_VOCAB_DIR=/app/corpus/vocab \
    SHERLOC_CORPUS_DIR=/app/corpus
USER sherloc
EXPOSE 8000
# Liveness only (the process answers); docker-compose.yml checks /readyz (store and search reachable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["sherloc", "up", "--corpus", "/app/corpus", "--host", "0.0.0.0", "--port", "8000"]
