"""Alembic migrations build exactly the schema the models declare, from an empty store."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sherloc.db import make_engine, upgrade
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
