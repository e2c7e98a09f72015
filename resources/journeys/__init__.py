"""Built-in journey models, one JSON file each (see docs/domain.md §1)."""
