"""Alembic migrations build exactly the schema the models declare, from an empty store, on SQLite and
(when SHERLOC_TEST_DATABASE_URL is set) PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sherloc.db import make_engine, migrations, upgrade
from sherloc.models import Base
from sherloc.settings import Settings


def test_upgrade_from_empty_matches_the_models(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert inspect(engine).has_table("records")
    engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_each_migration_applies_in_turn_from_an_empty_store(settings: Settings) -> None:
    """Upward one revision at a time, as an installation that upgraded release by release did: each step
    stands on its own (on SQLite and, with SHERLOC_TEST_DATABASE_URL, PostgreSQL)."""
    engine = make_engine(settings.database_url)
    scripts = migrations()
    revisions = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    assert len(revisions) >= 7 and scripts.get_current_head() == revisions[-1]
    for revision in revisions:
        upgrade(engine, revision)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == revision
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()
