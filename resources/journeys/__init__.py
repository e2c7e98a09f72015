"""Built-in journey models, one JSON file each (see DOMAIN.md §1)."""
