"""The `sherloc` command: db, ingest, index, tag, retag, cases, users, serve, and `up` (the demo, then
serve)."""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from sherloc.settings import REPO_ROOT, Settings, local_secret_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sherloc.ingest.pipeline import IngestReport
    from sherloc.ingest.retag import RetagReport
    from sherloc.tagging.store import RecordTagging


def _settings() -> Settings:
    return Settings.from_env()


@click.group()
@click.version_option(package_name="sherloc")
def main() -> None:
    """sherloc: legislation and case law against organized crime."""


# -- db -------------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The record store."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store's schema to the latest version."""
    _migrate(_settings())
    click.echo("store schema is up to date")


def _migrate(settings: Settings) -> None:
    from sherloc.db import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


# -- ingest ---------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--no-index", is_flag=True, help="Store records without updating the search index.")
def ingest(paths: tuple[Path, ...], no_index: bool) -> None:
    """Parse laws and decisions from PATHS (files or folders) into the store and the search index."""
    sys.exit(_ingest(_settings(), list(paths), index=not no_index))


def _ingest(settings: Settings, paths: list[Path], *, index: bool = True) -> int:
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.ingest.pipeline import Ingester, iter_files
    from sherloc.search.backends import make_backend
    from sherloc.tagging.store import stale_count

    tagging = _tagging(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    backend = make_backend(settings) if index else None
    if backend is not None and backend.state() == "outdated":
        raise click.ClickException(
            "the search index was built by another version of sherloc: run `sherloc index rebuild` "
            "(or ingest with --no-index, then rebuild)"
        )
    sessions = make_session_factory(engine)
    ingester = Ingester(sessions, backend, tagging=tagging)
    total = sum(1 for _ in iter_files(paths))
    show_bar = sys.stderr.isatty() and total > 20
    with click.progressbar(length=total, label="ingesting", file=sys.stderr, hidden=not show_bar) as bar:
        report = ingester.run(paths, progress=lambda _p: bar.update(1))
    with sessions() as session:
        stale = stale_count(session, tagging.version)
    engine.dispose()
    _print_report(report)
    if stale:
        click.echo("\n" + _stale_note(stale))
    return 1 if report.count("failed") else 0


def _tagging(settings: Settings) -> RecordTagging:
    """The tagging step, with its vocabulary loaded now: a broken vocabulary stops a run before it starts."""
    from sherloc.tagging.store import RecordTagging
    from sherloc.vocab import VocabularyError, load_vocabulary

    try:
        tagging = RecordTagging(settings.vocab_dir, load_vocabulary(settings.vocab_dir))
    except (VocabularyError, OSError) as exc:
        raise click.ClickException(f"cannot load the vocabulary in {settings.vocab_dir}: {exc}") from exc
    return tagging


def _print_report(report: IngestReport) -> None:
    by_status = Counter(o.status for o in report.outcomes)
    rows = [
        (status, by_status.get(status, 0)) for status in ("new", "updated", "unchanged", "skipped", "failed")
    ]
    click.echo("")
    click.echo(f"{'files':<12}{len(report.outcomes):>10}")
    for status, n in rows:
        click.echo(f"  {status:<10}{n:>10}")
    click.echo(f"{'records':<12}{report.records:>10}")
    click.echo(f"{'indexed':<12}{report.indexed:>10}")
    click.echo(f"{'seconds':<12}{report.seconds:>10.1f}")
    problems = report.problems
    if problems:
        click.echo("\nreported:")
        for o in problems:
            click.echo(f"  {o.status:<9} {o.path}: {o.message}")


# -- index ----------------------------------------------------------------------------------------


@main.group()
def index() -> None:
    """The search index."""


@index.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the search index from the store (the store is the source of truth).

    Tags are indexed as stored: after a vocabulary change, `sherloc retag` recomputes them (and re-indexes).
    """
    settings = _settings()
    click.echo(f"indexed {_rebuild(settings)} records")
    stale = _stale_count(settings)
    if stale:
        click.echo(_stale_note(stale))


def _rebuild(settings: Settings) -> int:
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.search import indexer
    from sherloc.search.backends import make_backend

    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        n = indexer.rebuild(session, make_backend(settings))
    engine.dispose()
    return n


def _stale_note(n: int) -> str:
    return f"{n} record(s) carry tags from another vocabulary or tagger version: run `sherloc retag`"


def _stale_count(settings: Settings) -> int:
    from sherloc.db import make_engine, make_session_factory
    from sherloc.tagging.store import stale_count, tagger_version

    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return stale_count(session, tagger_version(settings.vocab_dir))
    finally:
        engine.dispose()


# -- tag ------------------------------------------------------------------------------------------


@main.command()
def tag() -> None:
    """Tag JSON lines from standard input; write one JSON line per input line to standard output.

    Input: {"id", "text", optional "language", "title", "kind": provision|decision|law, "path": [enclosing
    headings], "charges": [a decision's charges]}. Output: {"id", "language", "crime_types", "instruments":
    [{"instrument", "article"}], "cross_cutting", "evidence", "confidence"}. A line that cannot be read
    gives {"id": <id or null>, "error": "..."} in its place. POST /api/v1/tag takes and gives the same.
    """
    import json

    from sherloc.tagging.tagger import Tagger, TagInput
    from sherloc.vocab import load_vocabulary

    tagger = Tagger(load_vocabulary(_settings().vocab_dir))
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        data: object = None
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("each line must be a JSON object")
            result: dict[str, object] = tagger.tag(TagInput.from_json(data)).to_json()
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raw_id = data.get("id") if isinstance(data, dict) else None
            result = {"id": raw_id, "error": f"line {number}: {exc}"}
        click.echo(json.dumps(result, ensure_ascii=False))


@main.command()
@click.option("--force", is_flag=True, help="Re-tag every record, not only those with stale tags.")
def retag(force: bool) -> None:
    """Recompute stored tags after a vocabulary or tagger change, and re-index the records they change.

    A record's tags are stale when they come from another version of the vocabulary files or the tagging
    code; only those are re-tagged (every record with --force). Tags set by hand are kept.
    """
    report = _retag(_settings(), force=force)
    click.echo(f"tagged {report.records} records: {len(report.changed)} changed, {report.indexed} re-indexed")


def _retag(settings: Settings, *, force: bool = False, index: bool = True) -> RetagReport:
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.ingest.retag import retag as retag_store
    from sherloc.search.backends import make_backend

    tagging = _tagging(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        backend = make_backend(settings) if index else None
        return retag_store(make_session_factory(engine), tagging, backend, force=force)
    finally:
        engine.dispose()


# -- cases ----------------------------------------------------------------------------------------


@main.group()
def cases() -> None:
    """Case records: show one, correct it as an editor, rebuild them from their decisions."""


@cases.command("show")
@click.argument("record_id")
def cases_show(record_id: str) -> None:
    """Print the case of decision RECORD_ID as JSON (the API's form, provenance included)."""
    import json

    from sherloc.db import make_engine, make_session_factory
    from sherloc.schemas.cases import CaseSchema
    from sherloc.services.case_view import case_for_record

    engine = make_engine(_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            case = case_for_record(session, record_id)
            if case is None:
                raise click.ClickException(f"no case for record {record_id!r}")
            click.echo(json.dumps(CaseSchema().dump(case), ensure_ascii=False, indent=2))
    finally:
        engine.dispose()


@cases.command("correct")
@click.argument("record_id")
@click.argument("changes", type=click.File("r", encoding="utf-8"))
@click.option("--user", default=None, help="Who made the correction (kept in the provenance).")
def cases_correct(record_id: str, changes: IO[str], user: str | None) -> None:
    """Correct the case of RECORD_ID with the fields in CHANGES (a JSON object, "-" for standard input).

    Each field given replaces the stored one ("court" part by part) and is marked as set by an editor, so
    later ingests keep it. Invalid values are refused with the field and the reason; nothing is written.
    """
    import json

    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.ingest.cases import correct_case
    from sherloc.models.cases import CaseError
    from sherloc.search import indexer
    from sherloc.search.backends import make_backend
    from sherloc.services import workflow

    settings = _settings()
    try:
        data = json.loads(changes.read())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"CHANGES is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise click.ClickException(
            'CHANGES must be a JSON object of fields, e.g. {"court": {"level": "appellate"}}'
        )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with make_session_factory(engine)() as session, session.begin():
            handler = workflow.handler_for("record")
            before = handler.current(session, record_id)
            try:
                correct_case(session, record_id, data, user)
                session.flush()
            except CaseError as exc:
                raise click.ClickException(str(exc)) from exc
            # Kept in the record's versions like a published change (the first version: before it).
            workflow.record_change(
                session,
                None,
                "record",
                record_id,
                "correction",
                note=f"command line: {user or ''}".strip(),
                before=before,
                indexed=True,
            )
            indexer.sync(session, make_backend(settings), changed=[record_id], deleted=[])
    finally:
        engine.dispose()
    click.echo(f"corrected {', '.join(sorted(data))} of {record_id}")


@cases.command("rebuild")
def cases_rebuild() -> None:
    """Build the cases of decisions that have none or were built by an older extractor; link provisions
    the portal holds now. Editors' values are kept. (`sherloc ingest` does this too.)"""
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.ingest.pipeline import Ingester
    from sherloc.search.backends import make_backend

    settings = _settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        ingester = Ingester(make_session_factory(engine), make_backend(settings), tagging=_tagging(settings))
        click.echo(f"re-indexed {ingester.refresh_cases()} decisions")
    finally:
        engine.dispose()


# -- users ----------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Accounts: create one (the first administrator too), reset a password, list, unlock.

    There is no self-registration: accounts are made here, by whoever runs the portal.
    """


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
        return password
    entered: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return entered


def _with_store(action: Callable[[Session], str]) -> None:
    """Run `action` in one transaction on a migrated store; print what it returns; account errors are
    reported as command errors."""
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.services.accounts import AccountError

    engine = make_engine(_settings().database_url)
    upgrade(engine)
    try:
        with make_session_factory(engine)() as session, session.begin():
            try:
                message = action(session)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(message)


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["contributor", "authority", "reviewer", "administrator"]),  # models.accounts.ROLES
)
@click.option("--authority", "authority_id", default=None, help="The authority of an authority user.")
@click.option("--name", "display_name", default="", help="The name shown in the interface.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input's first line.")
def users_create(
    email: str, role: str, authority_id: str | None, display_name: str, password_stdin: bool
) -> None:
    """Create an account (asks for its password)."""
    from sherloc.services.accounts import create_user

    password = _read_password(password_stdin)

    def action(session: Session) -> str:
        from sherloc.services.workflow import audit

        user = create_user(
            session, email, password, role, authority_id=authority_id, display_name=display_name
        )
        # user None: done on the command line, by whoever runs the portal.
        detail = {"email": user.email, "role": user.role, "authority_id": user.authority_id}
        audit(session, None, "user_created", f"user:{user.id}", **detail)
        return f"created {user.role} {user.email}"

    _with_store(action)


@users.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input's first line.")
def users_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; unlocks the account and logs it out everywhere."""
    from sherloc.services.accounts import reset_password
    from sherloc.services.workflow import audit

    password = _read_password(password_stdin, "New password")

    def action(session: Session) -> str:
        user = reset_password(session, email, password)
        audit(session, None, "password_reset", f"user:{user.id}")
        return f"new password set for {user.email}"

    _with_store(action)


@users.command("unlock")
@click.argument("email")
def users_unlock(email: str) -> None:
    """End the lock-out of EMAIL after too many failed logins."""
    from sherloc.services.accounts import unlock
    from sherloc.services.workflow import audit

    def action(session: Session) -> str:
        user = unlock(session, email)
        audit(session, None, "user_unlocked", f"user:{user.id}")
        return f"unlocked {user.email}"

    _with_store(action)


@users.command("list")
def users_list() -> None:
    """List the accounts: email, role, authority, state, last login."""
    from sherloc.services.accounts import list_users, now_utc

    def action(session: Session) -> str:
        now = now_utc()
        rows = [("email", "role", "authority", "state", "last login")]
        for user in list_users(session):
            state = "inactive" if not user.is_active else "locked" if user.is_locked(now) else "active"
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-"
            rows.append((user.email, user.role, user.authority_id or "-", state, last))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows)
        return "\n".join(lines)

    _with_store(action)


# -- directory ------------------------------------------------------------------------------------


@main.group()
def directory() -> None:
    """The Directory of Competent National Authorities (restricted): import entries, export it."""


@directory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def directory_import(file: Path) -> None:
    """Import entries from FILE (JSON or YAML: a list of entries, fields as GET /api/v1/directory/<id>
    gives them). Each entry is checked as a proposal would be; a bad one is reported and skipped. An entry
    with an "id" updates that entry, one without is matched by country and name. Written as published
    versions (origin "import"); running the same file again changes nothing."""
    import json

    import yaml

    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.services.directory import import_entries

    text = file.read_text(encoding="utf-8")
    try:
        items = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise click.ClickException(f"{file} cannot be read: {exc}") from exc
    if not isinstance(items, list):
        raise click.ClickException(f"{file} must hold a list of entries")
    engine = make_engine(_settings().database_url)
    upgrade(engine)
    try:
        with make_session_factory(engine)() as session, session.begin():
            outcomes = import_entries(session, items)
    finally:
        engine.dispose()
    for o in outcomes:
        if o.status == "failed":
            click.echo(f"entry {o.index}: skipped: {o.message}", err=True)
    counts = Counter(o.status for o in outcomes)
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in ("new", "updated", "unchanged", "failed")))
    if counts.get("failed"):
        sys.exit(1)


@directory.command("export")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def directory_export(fmt: str, out: Path) -> None:
    """Write the published directory to OUT: printable HTML (grouped by country, dated) or JSON."""
    import json
    from dataclasses import replace

    from sherloc.app import create_app, db
    from sherloc.services import workflow
    from sherloc.services.directory import export_data

    settings = _settings()
    # The app needs a key to start; nothing is signed here, so a throwaway one will do.
    app = create_app(replace(settings, secret_key=settings.secret_key or "directory export"))
    try:
        with app.test_request_context("/directory/export"):
            data = export_data(db())
            if fmt == "json":
                body = json.dumps(data.as_json(), ensure_ascii=False, indent=2) + "\n"
            else:
                from sherloc.web.directory import render_export

                body = render_export(data)
            workflow.audit(
                db(),
                None,
                "directory_exported",
                "authority:*",
                format=fmt,
                entries=data.total,
                via="command line",
            )
            db().commit()
    finally:
        app.extensions["sherloc"].engine.dispose()
    out.write_text(body, encoding="utf-8")
    click.echo(f"wrote {data.total} entries to {out} ({fmt})")


# -- mutual legal assistance ----------------------------------------------------------------------------


@main.group()
def mla() -> None:
    """The request writer for mutual legal assistance."""


@mla.command("rules")
@click.option(
    "--vocab",
    "vocab_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder holding mla_requirements.yaml (default: the portal's vocabulary folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON (GET /api/v1/mla/requirements).")
@click.option("--language", default="en", show_default=True, help="Language of the labels with --json.")
def mla_rules(vocab_dir: Path | None, as_json: bool, language: str) -> None:
    """Check the requirement rules (corpus/vocab/mla_requirements.yaml) after an edit: every id known,
    every text in the six languages, every condition pointing at a field that exists. Exits 1 on a
    mistake, naming its place."""
    import json

    from sherloc.mla.rules import load_rules
    from sherloc.vocab.loader import UN_LANGUAGES, VocabularyError

    if language not in UN_LANGUAGES:
        raise click.BadParameter(f"one of {', '.join(UN_LANGUAGES)}", param_hint="--language")
    try:
        rules = load_rules(vocab_dir or _settings().vocab_dir)
    except VocabularyError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(rules.as_json(language), ensure_ascii=False, indent=2))
        return
    fields = sum(1 for _ in rules.all_fields())
    required = sum(1 for f in rules.all_fields() if f.required)
    click.echo(
        f"ok: {len(rules.steps)} steps, {len(rules.assistance_types)} types of assistance, "
        f"{fields} fields ({required} required)"
    )


# -- serve ----------------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn processes (default: one per core).")
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=int,
    help="threads per worker (more than 1: gthread workers)",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading, for development only.")
def serve(host: str, port: int, workers: int | None, threads: int, dev: bool) -> None:
    """Serve the portal with gunicorn (SHERLOC_SECRET_KEY must be set, except with --dev)."""
    _use_secret_key(_settings(), local=dev)
    _serve(host, port, workers, dev, threads)


def _use_secret_key(settings: Settings, *, local: bool) -> None:
    """Refuse to serve without a secret key, except locally, where one is kept under the data folder."""
    if settings.secret_key:
        return
    if not local:
        raise click.ClickException(
            "SHERLOC_SECRET_KEY is not set; set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    os.environ["SHERLOC_SECRET_KEY"] = local_secret_key(settings.data_dir)  # gunicorn's workers inherit it


def _serve(host: str, port: int, workers: int | None, dev: bool, threads: int = 1) -> None:
    if dev:
        from sherloc.app import create_app

        create_app().run(host=host, port=port, debug=True)
        return
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed in this environment")
    # Search is CPU-bound: one sync worker per core serves the most requests (benchmarks/search_corpora.py
    # on 2 cores: 2 sync workers ~300 req/s, 5 sync ~245-275, gthread 175-310 depending on how keep-alive
    # connections happen to spread over the workers). Behind a buffering proxy, slow clients do not hold
    # a sync worker; without one, --threads gives gthread workers.
    n = workers or (os.cpu_count() or 1)
    args = [gunicorn, "--bind", f"{host}:{port}", "--workers", str(n), "--access-logfile", "-"]
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    click.echo(f"serving on http://{host}:{port} with {n} workers x {threads} threads", err=True)
    # Replace this process with gunicorn so signals (Ctrl-C, SIGTERM) reach it directly.
    os.execv(gunicorn, [*args, "sherloc.app:create_app()"])  # noqa: S606


# -- up -------------------------------------------------------------------------------------------


@main.command()
@click.option("--corpus", "corpus", default=str(REPO_ROOT / "corpus"), type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int)
def up(corpus: Path, host: str, port: int, workers: int | None) -> None:
    """Migrate, ingest the demo corpus, re-tag stale tags, build the index if missing, and serve."""
    settings = _settings()
    from sherloc.ingest.pipeline import corpus_sources

    sources = corpus_sources(corpus)
    if not sources:
        raise click.ClickException(f"no corpus folders under {corpus}")
    from sherloc.search.backends import make_backend

    # An index never built, or built by an older version (another schema): rebuilt from the store below.
    rebuild = make_backend(settings).state() != "current"
    status = _ingest(settings, sources, index=not rebuild)
    retagged = _retag(settings, index=not rebuild)  # after a vocabulary edit; nothing to do otherwise
    if retagged.records:
        click.echo(f"re-tagged {retagged.records} records ({len(retagged.changed)} changed)")
    if rebuild:
        click.echo(f"indexed {_rebuild(settings)} records")
    if status:
        click.echo("some files failed (see above); serving what was ingested", err=True)
    _use_secret_key(settings, local=True)
    _serve(host, port, workers, dev=False)


if __name__ == "__main__":
    main()
