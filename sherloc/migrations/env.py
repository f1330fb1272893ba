"""Alembic environment: runs migrations on the engine handed over in config.attributes."""

from alembic import context
from sqlalchemy import Engine

from sherloc.models import Base

config = context.config
engine: Engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
