"""Hold a database open for writing, as the app does, until stdin closes (for the lock tests)."""

from __future__ import annotations

import sys

from db.engine import open_database

if __name__ == "__main__":
    with open_database(sys.argv[1]):
        sys.stdout.write("holding\n")
        sys.stdout.flush()
        sys.stdin.read()
