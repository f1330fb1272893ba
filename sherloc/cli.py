"""The `sherloc` command: db, ingest, index, tag, retag, cases, users, serve, `up` (the demo, then
serve), and export/import of the whole store."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, TextIO, cast

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
    from sqlalchemy.exc import InterfaceError, OperationalError

    from sherloc.db import make_engine, make_session_factory, store_unavailable, upgrade
    from sherloc.ingest.pipeline import Ingester, IngestStopped, iter_files
    from sherloc.search.backends import make_backend
    from sherloc.tagging.store import stale_count

    tagging = _tagging(settings)
    engine = make_engine(settings.database_url)
    try:
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
    except IngestStopped as exc:
        _print_report(exc.report)
        click.echo(
            f"\ningest stopped: {exc.reason}.\nThe files listed above as new, updated or unchanged are "
            "stored and kept; fix the cause and run the same command again to go on.",
            err=True,
        )
        return 1
    except (OperationalError, InterfaceError) as exc:  # before the run: migrating, counting stale tags
        raise click.ClickException(f"ingest stopped: {store_unavailable(exc)}") from exc
    finally:
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
@click.option("--host", default=None, help="address to listen on (default: SHERLOC_LISTEN, 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port to listen on (default: SHERLOC_LISTEN, 8000)")
@click.option(
    "--workers", default=None, type=int, help="gunicorn processes (default: SHERLOC_WORKERS, one per core)"
)
@click.option(
    "--threads",
    default=None,
    type=int,
    help="threads per worker, more than 1: gthread workers (default: SHERLOC_THREADS, 1)",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading, for development only.")
def serve(host: str | None, port: int | None, workers: int | None, threads: int | None, dev: bool) -> None:
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


def _serve(
    host: str | None, port: int | None, workers: int | None, dev: bool, threads: int | None = None
) -> None:
    settings = _settings()
    # --host/--port replace their half of SHERLOC_LISTEN (host:port, default 127.0.0.1:8000).
    default_host, _, default_port = settings.listen.rpartition(":")
    host = host or default_host.strip("[]") or "127.0.0.1"
    port = port or int(default_port or 8000)
    if dev:
        from sherloc.app import create_app
        from sherloc.observability.logs import configure_logging

        configure_logging(settings.log_format, settings.log_level)
        create_app(settings).run(host=host, port=port, debug=True)
        return
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed in this environment")
    # Workers, threads, timeouts, logs and metrics come from sherloc/gunicorn_conf.py (SHERLOC_WORKERS,
    # SHERLOC_THREADS ...); options given here take precedence. Search is CPU-bound: one sync worker per
    # core serves the most requests (benchmarks/search_corpora.py on 2 cores: 2 sync workers ~300 req/s,
    # 5 sync ~245-275, gthread 175-310 depending on how keep-alive connections happen to spread over the
    # workers). Behind a buffering proxy, slow clients do not hold a sync worker; without one, --threads
    # gives gthread workers.
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    args = [gunicorn, "-c", "python:sherloc.gunicorn_conf", "--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    if threads:
        args += ["--threads", str(threads)]
    n = workers or settings.workers or os.cpu_count() or 1
    t = threads or settings.threads
    click.echo(f"serving on http://{bind} with {n} workers x {t} threads", err=True)
    # Replace this process with gunicorn so signals (Ctrl-C, SIGTERM) reach it directly.
    os.execv(gunicorn, [*args, "sherloc.app:create_app()"])  # noqa: S606


# -- up -------------------------------------------------------------------------------------------


_CORPUS_OPTION = click.option(
    "--corpus",
    "corpus",
    default=str(REPO_ROOT / "corpus"),
    envvar="SHERLOC_CORPUS_DIR",
    show_default=True,
    type=click.Path(path_type=Path),
    help="folder whose sub-folders are ingested (env SHERLOC_CORPUS_DIR)",
)


@main.command()
@_CORPUS_OPTION
@click.option("--rebuild", is_flag=True, help="rebuild the search index even when it is current")
@click.option("--strict", is_flag=True, help="exit with status 1 when a file failed (default: report it)")
def setup(corpus: Path, rebuild: bool, strict: bool) -> None:
    """Migrate, ingest the corpus, re-tag stale tags and build the index if missing or outdated; safe to
    re-run (the one-shot job of docker-compose.yml). What `sherloc up` does before serving.

    A file that fails is reported and skipped, and the portal serves the rest: the exit status is 0
    unless --strict (a failed migration or index build always fails)."""
    if _setup(_settings(), corpus, force_rebuild=rebuild):
        click.echo("some files failed (see above); the rest was ingested", err=True)
        if strict:
            raise SystemExit(1)


def _setup(settings: Settings, corpus: Path, *, force_rebuild: bool = False) -> int:
    """The exit status of ingesting `corpus`: 0, or 1 when some files failed (the rest is kept)."""
    from sherloc.ingest.pipeline import corpus_sources

    sources = corpus_sources(corpus)
    if not sources:
        raise click.ClickException(f"no corpus folders under {corpus}")
    from sherloc.search.backends import make_backend

    # An index never built, or built by an older version (another schema): rebuilt from the store below,
    # once, rather than record by record as the files are ingested.
    rebuild = force_rebuild or make_backend(settings).state() != "current"
    status = _ingest(settings, sources, index=not rebuild)
    retagged = _retag(settings, index=not rebuild)  # after a vocabulary edit; nothing to do otherwise
    if retagged.records:
        click.echo(f"re-tagged {retagged.records} records ({len(retagged.changed)} changed)")
    if rebuild:
        click.echo(f"indexed {_rebuild(settings)} records")
    return status


@main.command()
@_CORPUS_OPTION
@click.option("--host", default=None, help="address to listen on (default: SHERLOC_LISTEN, 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port to listen on (default: SHERLOC_LISTEN, 8000)")
@click.option("--workers", default=None, type=int)
def up(corpus: Path, host: str | None, port: int | None, workers: int | None) -> None:
    """Migrate, ingest the demo corpus, re-tag stale tags, build the index if missing, and serve."""
    settings = _settings()
    if _setup(settings, corpus):
        click.echo("some files failed (see above); serving what was ingested", err=True)
    _use_secret_key(settings, local=True)
    _serve(host, port, workers, dev=False)


# -- export / import: the whole store -------------------------------------------------------------


@main.command("export")
@click.option(
    "--out",
    default="-",
    show_default=True,
    help="The file to write (compressed with gzip when it ends in .gz); - for standard output.",
)
def store_export(out: str) -> None:
    """Write the whole store as JSON lines, to move it to another store with `sherloc import`.

    Every table and column: records, tags, cases, the directory, proposals and versions, requests for
    assistance, usage counts and the accounts WITH THEIR PASSWORD HASHES. The file is as sensitive as the
    store: it is created readable by its owner only; keep it so, and delete it once imported. Logins are
    not exported (everyone logs in again). Stop writes to the portal first.
    """
    from sherloc.db import make_engine, make_session_factory
    from sherloc.services.store_dump import DumpError, export_store

    engine = make_engine(_settings().database_url)
    reader = engine
    if engine.dialect.name == "postgresql":  # one snapshot for every table (SQLite's transaction is one)
        reader = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        with make_session_factory(reader)() as session, session.begin(), _dump_writer(out) as stream:
            try:
                report = export_store(session, stream)
            except DumpError as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    _print_dump_report(report.rows, "exported")


@main.command("import")
@click.argument("file")
@click.option("--rebuild-index", is_flag=True, help="Rebuild the search index from the store afterwards.")
def store_import(file: str, rebuild_index: bool) -> None:
    """Load FILE (written by `sherloc export`; .gz read as such; - for standard input) into this
    installation's store, which must be empty: migrated first, then filled in one transaction, so that a
    damaged or truncated file leaves it empty. The search index is not touched: run `sherloc index
    rebuild` afterwards (or pass --rebuild-index)."""
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.services.store_dump import DumpError, import_store

    settings = _settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with _dump_reader(file) as lines, make_session_factory(engine)() as session, session.begin():
            try:
                report = import_store(session, lines)
            except DumpError as exc:
                raise click.ClickException(f"{file}: {exc}; nothing was imported") from exc
    finally:
        engine.dispose()
    _print_dump_report(report.rows, "imported")
    if rebuild_index:
        click.echo(f"indexed {_rebuild(settings)} records", err=True)
    else:
        click.echo("the search index is unchanged: run `sherloc index rebuild`", err=True)


def _print_dump_report(rows: dict[str, int], done: str) -> None:
    width = max(len(name) for name in rows)
    for name, count in rows.items():
        click.echo(f"{name:<{width}}{count:>10}", err=True)
    click.echo(f"{done} {sum(rows.values())} rows", err=True)


@contextlib.contextmanager
def _dump_writer(out: str) -> Iterator[TextIO]:
    """A text stream to `out` ("-": standard output): created readable by its owner only, written under
    a temporary name and renamed when complete, gzip-compressed when the name ends in .gz."""
    import gzip
    import io

    if out == "-":
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        try:
            yield stdout
        finally:
            stdout.flush()
            stdout.detach()
        return
    path = Path(out)
    partial = path.with_name(path.name + ".part")
    try:
        # A fresh file, never one left there (it would keep its mode) nor a link's target.
        partial.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(partial, flags, 0o600), "wb") as raw:
            # mtime 0: the same store gives the same compressed bytes.
            binary: IO[bytes] = raw
            if out.endswith(".gz"):
                binary = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0))
            with binary, io.TextIOWrapper(cast(BinaryIO, binary), encoding="utf-8", newline="\n") as stream:
                yield stream
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


@contextlib.contextmanager
def _dump_reader(source: str) -> Iterator[TextIO]:
    """The lines of `source` ("-": standard input), gunzipped when they are gzip's."""
    import gzip
    import io

    if source == "-":
        raw: IO[bytes] = sys.stdin.buffer
    else:
        try:
            raw = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from exc
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(io.RawIOBase, raw))
    binary: IO[bytes] = buffered
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        binary = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    stream = io.TextIOWrapper(cast(BinaryIO, binary), encoding="utf-8")
    try:
        yield stream
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise click.ClickException(f"{source}: cannot be read: {exc}; nothing was imported") from exc
    finally:
        if source == "-":
            stream.detach()
        else:
            stream.close()
            raw.close()


if __name__ == "__main__":
    main()
