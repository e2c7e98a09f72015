"""Schema revisions, oldest first; each must also be listed in ``db.schema.REVISIONS``."""
