"""``make bench`` works on copies of its database; a copy goes with the backups the app took
of it during the run, and nothing else in the folder."""

from __future__ import annotations

from pathlib import Path

from db import backups
from db.engine import open_database
from tests.benchmarks import bench


def test_a_copy_goes_with_its_backups_and_nothing_else(tmp_path: Path) -> None:
    copy = tmp_path / "scripted-run.sqlite"
    with open_database(copy) as database:
        taken = [
            backups.take_backup(database, backups.BEFORE_IMPORT),
            backups.take_backup(database, "before changing the journey model"),
        ]
    folder = backups.default_folder(copy)
    kept = [folder / "bench-100000-20261201-101010.sqlite", folder / "scripted-run.txt"]
    for path in kept:
        path.write_bytes(b"not the copy's")
    assert all(path.exists() for path in taken)

    bench.drop_copy(copy)

    assert not copy.exists() and not any(path.exists() for path in taken)
    assert all(path.exists() for path in kept)
    assert not Path(f"{copy}-wal").exists()
