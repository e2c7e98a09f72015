"""The Settings dialog and its pages (one page per feature)."""
