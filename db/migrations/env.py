"""Alembic environment: migrations run on the connection ``db.engine`` hands over.

For a developer making a new revision, ``make migration MSG="..."`` runs Alembic against a
scratch database at head instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from db.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = config.get_main_option("sqlalchemy.url") or "sqlite://"
    with create_engine(url).connect() as scratch:
        context.configure(connection=scratch, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
