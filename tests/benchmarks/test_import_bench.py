"""The import bench at a small size: both ways of importing run to their end and import
every row (``make bench`` prints the figures at 100,000 rows)."""

from __future__ import annotations

from tests.benchmarks.bench_import import measure_import


def test_the_import_bench_imports_every_row_both_ways() -> None:
    figures = measure_import(300)
    assert figures.rows == 300
    # Each way asserts inside that it created every row; here, that each was timed.
    assert figures.preview > 0 and figures.ours > 0 and figures.one_step > 0
    assert figures.one_step_cpu > 0 and figures.baseline > 0
