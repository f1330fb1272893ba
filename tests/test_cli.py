"""The `sherloc` command line, run in-process with click's runner."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sherloc.cli import main
from tests.conftest import CORPUS, store_env


@pytest.fixture
def env(tmp_path: Path, store_url: str) -> dict[str, str]:
    return store_env(tmp_path / "data", store_url)


def test_ingest_prints_a_summary_and_rebuild_indexes_everything(tmp_path: Path, env: dict[str, str]) -> None:
    src = tmp_path / "in" / "es"
    src.mkdir(parents=True)
    shutil.copyfile(
        CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md", src / "BOE-A-2010-6737.md"
    )
    (src / "junk.bin").write_bytes(b"\x00\x01\x02")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(tmp_path / "in")], env=env)
    assert result.exit_code == 0, result.output
    assert "new" in result.output and "skipped" in result.output and "junk.bin" in result.output
    records = int(next(line.split()[-1] for line in result.output.splitlines() if line.startswith("records")))
    assert records > 50
    rebuilt = runner.invoke(main, ["index", "rebuild"], env=env)
    assert rebuilt.exit_code == 0 and f"indexed {records} records" in rebuilt.output


def test_db_upgrade_is_idempotent(env: dict[str, str]) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["db", "upgrade"], env=env)
        assert result.exit_code == 0 and "up to date" in result.output


def test_missing_path_is_a_clear_error(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["ingest", "/no/such/place"], env=env)
    assert result.exit_code == 2 and "does not exist" in result.output


def test_an_editor_corrects_a_case_and_the_correction_is_searchable(
    tmp_path: Path, env: dict[str, str]
) -> None:
    import json

    src = tmp_path / "in"
    src.mkdir()
    lines = (CORPUS / "zh-cn-decisions-lecardv2" / "query" / "test_query.json").read_text(encoding="utf-8")
    (src / "test_query.json").write_text(lines.splitlines()[0] + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(src)], env=env).exit_code == 0
    record_id = f"cn-decision-test_query-{json.loads(lines.splitlines()[0])['id']}"
    shown = runner.invoke(main, ["cases", "show", record_id], env=env)
    assert shown.exit_code == 0 and json.loads(shown.output)["unodc_number"] == "CHN0001"

    bad = runner.invoke(
        main, ["cases", "correct", record_id, "-"], env=env, input='{"victims": [{"age": -3}]}'
    )
    assert bad.exit_code != 0 and "victims.0.age" in bad.output
    good = runner.invoke(
        main,
        ["cases", "correct", record_id, "-", "--user", "ana"],
        env=env,
        input='{"court": {"name": "Some Court"}}',
    )
    assert good.exit_code == 0, good.output
    case = json.loads(runner.invoke(main, ["cases", "show", record_id], env=env).output)
    assert case["court"]["name"] == "Some Court" and case["provenance"]["court.name"]["by"] == "editor"
    assert "user" not in case["provenance"]["court.name"]  # who edited is kept for the audit, not shown
    assert runner.invoke(main, ["cases", "rebuild"], env=env).exit_code == 0
    from sherloc.app import create_app
    from sherloc.settings import Settings

    settings = Settings(
        data_dir=Path(env["SHERLOC_DATA_DIR"]), database_url=env["SHERLOC_DATABASE_URL"], secret_key="test"
    )
    app = create_app(settings)
    hits = app.test_client().get('/api/v1/search?q=court:"Some Court"').get_json()
    assert [hit["id"] for hit in hits["hits"]] == [record_id]
    app.extensions["sherloc"].engine.dispose()


def test_setup_builds_the_index_once_and_a_rerun_changes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    """`sherloc setup`, the one-shot job of docker-compose.yml: migrate, ingest, index when needed."""
    corpus = tmp_path / "corpus"
    laws = corpus / "es-laws" / "es"
    laws.mkdir(parents=True)
    shutil.copyfile(
        CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md", laws / "BOE-A-2010-6737.md"
    )
    (corpus / "vocab").mkdir()  # vocabulary, not documents: never ingested
    (corpus / "vocab" / "notes.md").write_text("# not a law\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["setup", "--corpus", str(corpus)], env=env)
    assert first.exit_code == 0, first.output
    rebuilt = re.compile(r"^indexed \d+ records$", re.M)  # the rebuild's line, not the ingest report's
    assert rebuilt.search(first.output) and "notes.md" not in first.output
    again = runner.invoke(main, ["setup"], env={**env, "SHERLOC_CORPUS_DIR": str(corpus)})
    assert again.exit_code == 0, again.output
    assert re.search(r"unchanged +1\n", again.output) and not rebuilt.search(again.output)  # index current
    forced = runner.invoke(main, ["setup", "--corpus", str(corpus), "--rebuild"], env=env)
    assert forced.exit_code == 0 and rebuilt.search(forced.output)
    (corpus / "references").mkdir()
    (corpus / "references" / "broken.bib").write_text(
        "@book{broken,\n  title = {Unclosed\n", encoding="utf-8"
    )
    lenient = runner.invoke(main, ["setup", "--corpus", str(corpus)], env=env)
    assert (
        lenient.exit_code == 0
        and re.search(r"failed +1\n", lenient.output)
        and "broken.bib" in lenient.output
    )
    assert runner.invoke(main, ["setup", "--corpus", str(corpus), "--strict"], env=env).exit_code == 1
    assert runner.invoke(main, ["setup", "--corpus", str(tmp_path / "empty")], env=env).exit_code != 0
