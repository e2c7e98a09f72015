"""Alembic migrations for the Touchbase schema (applied automatically when a database opens)."""
