"""Touchbase storage: SQLAlchemy models, opening and migrating databases, and the services
that read and write them. Nothing in this package imports Qt."""

__version__ = "0.1.0"
