"""The Reports place: the dashboard's charts, the period, saving, drill-down and the empty
state; and ``touchbase chart``."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from db import contacts, demo, journeys, listing, stages
from db.clock import local_today
from db.contacts import ContactQuery
from db.domain import Medium
from db.engine import ChangeWatch, Database, open_database
from db.export import ExportOptions, build, load_reports
from db.lifecycle import Lifecycle
from db.listing import count_contacts
from db.touches import TouchInput, log_touch
from desktop_app import cli
from desktop_app.main_window import MainWindow
from desktop_app.ops import EVERYTHING, Changes, OpsBus
from desktop_app.reports import charts, helper, jobs, palette, worker
from desktop_app.reports.catalogue import (
    BY_NAME,
    CHARTS,
    FIGURES,
    LANE_OF,
    LANES,
    Chart,
    ChartData,
    Rendered,
    load,
    period_of,
)
from desktop_app.reports.install import (
    TILES_PER_TURN,
    ReportsHelpers,
    ReportsPlace,
    page_geometry,
)
from desktop_app.reports.jobs import Job, draw
from desktop_app.reports.page import CHART_HEIGHT, ReportsPage, SaveChartDialog, chart_sizes
from desktop_app.tasks import ImmediateRunner, ThreadRunner
from tests.conftest import ContactFactory

TODAY = date(2026, 3, 20)


@pytest.fixture
def sample(welcomed: Database) -> Database:
    demo.generate(welcomed, contacts=60, seed=4)
    return welcomed


def _reports(window: MainWindow) -> ReportsPage:
    window.ops.announce(EVERYTHING)  # the sample data was added behind the window's back
    window.show_place("reports")
    page = window.reports_page
    assert page.isVisible()
    # The charts are asked for on the next turn of the event loop, once laid out.
    QApplication.processEvents()
    return page


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def _check_file(path: Path, kind: str) -> None:
    data = path.read_bytes()
    if kind == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    elif kind == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        assert data.startswith(b"%PDF") and _pdf_pages(path) == 1


def test_reports_opens_on_every_chart_with_a_title_in_numbers(
    window: MainWindow, sample: Database
) -> None:
    page = _reports(window)

    assert set(page.rendered) == {c.name for c in CHARTS}
    for chart in CHARTS:
        canvas = page.tiles[chart.name].canvas
        assert canvas.image is not None and not canvas.image.isNull()
        assert canvas.title and canvas.message == ""
    # The sales title states the period's total, computed from the report the CSV twin writes.
    since, until = period_of("Last 12 months", local_today())
    rows = list(
        build(
            load_reports()["sales-by-month"],
            sample,
            ExportOptions(since=since, until=until),
        ).rows
    )
    purchases = sum(int(str(r[1])) for r in rows)
    assert f"from {purchases:,} purchases" in page.tiles["sales"].canvas.title
    assert not page.empty_label.isVisible()


def test_reports_opens_in_steps_a_few_tiles_a_turn_then_shows_the_page(
    qtbot: QtBot, window: MainWindow, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    build_tiles = ReportsPage.build_tiles

    def counted(page: ReportsPage, count: int) -> bool:
        before = len(page.tiles)
        more = build_tiles(page, count)
        built.append(len(page.tiles) - before)
        return more

    monkeypatch.setattr(ReportsPage, "build_tiles", counted)
    window.show_place("reports")
    place = cast(ReportsPlace, window.page_for("reports"))

    # The place shows at once, saying it opens; the page follows a few turns later.
    assert place.page is None and place.loading.isVisible()
    qtbot.waitUntil(lambda: place.page is not None)

    # TILES_PER_TURN tiles a turn, then the value figures and the tiles' layout in a turn
    # each, then the page is shown.
    tiles_per_turn = [TILES_PER_TURN] * (len(CHARTS) // TILES_PER_TURN) + (
        [len(CHARTS) % TILES_PER_TURN] if len(CHARTS) % TILES_PER_TURN else []
    )
    assert built == [*tiles_per_turn, 0, 0, 0]
    page = window.reports_page
    assert page.isVisible() and not place.loading.isVisible()
    assert list(page.tiles) == [c.name for c in CHARTS]
    qtbot.waitUntil(lambda: set(page.rendered) == {c.name for c in CHARTS})


def test_charts_are_read_and_drawn_in_the_helper_process(
    qtbot: QtBot, sample: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = ThreadRunner()
    ops = OpsBus(sample, runner)
    # Started ahead (as at idle after start-up), reading the default period on both lanes.
    reader = ReportsPage.start_helpers(ops, local_today(), read_ahead=True)
    assert reader.started()
    page = ReportsPage(ops, reader=reader)
    qtbot.addWidget(page)
    assert page.reader is reader
    with qtbot.waitSignal(page.charts_drawn, timeout=120_000):
        page.resize(1200, 800)
        page.show()
    assert set(page.rendered) == {c.name for c in CHARTS}
    assert not page.reader._broken
    target = tmp_path / "funnel.svg"
    monkeypatch.setattr(SaveChartDialog, "ask", classmethod(lambda cls, p, t, s, k: target))
    with qtbot.waitSignal(page.status_message, timeout=60_000) as said:
        page.save_chart(BY_NAME["funnel"], "svg")
    assert said.args == [f"Saved the journey funnel chart to {target}."]
    _check_file(target, "svg")
    # With nothing to do the helpers exit, giving their memory back; the next read starts
    # them again.
    reader._rest.setInterval(50)  # restarts the rest the last delivery began
    qtbot.waitUntil(lambda: not reader.started(), timeout=10_000)
    with qtbot.waitSignal(page.charts_drawn, timeout=120_000):
        page.set_range("All time")
    assert reader.started()
    assert not reader._broken
    page.reader.close()
    runner.wait()


@pytest.mark.parametrize("size", [(1366, 768), (1367, 768), (1024, 640), (1920, 1080)])
def test_the_sizes_charts_are_drawn_at_ahead_are_those_the_page_gives_them(
    window: MainWindow, sample: Database, size: tuple[int, int]
) -> None:
    window.resize(*size)
    QApplication.processEvents()  # laid out at that size
    predicted = chart_sizes(*page_geometry(window))  # before the page exists
    page = _reports(window)
    drawn = {name: (image.width, image.height) for name, image in page.rendered.items()}
    shown = {name: (tile.canvas.width(), CHART_HEIGHT) for name, tile in page.tiles.items()}
    assert predicted == drawn == shown


def test_a_chart_whose_tile_changes_width_is_drawn_again_at_the_new_width(
    qtbot: QtBot, window: MainWindow, sample: Database
) -> None:
    page = _reports(window)
    canvas = page.tiles["funnel"].canvas
    assert page.rendered["funnel"].width == canvas.width()
    # The tile is laid out anew without the page changing size (a scroll bar appears, say).
    page.grid.setColumnMinimumWidth(1, canvas.width() + 40)
    qtbot.waitUntil(lambda: page.rendered["funnel"].width == canvas.width(), timeout=5_000)
    assert canvas.image is not None
    assert round(canvas.image.width() / canvas.image.devicePixelRatio()) == canvas.width()


def test_the_helpers_draw_the_charts_ahead_and_the_page_is_given_them(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At idle the helpers read and draw the default period's charts at the sizes the page
    will give them in this window: opening Reports, none is drawn anew."""
    fresh: dict[str, bool] = {}
    on_drawn = ReportsPage._on_drawn

    def recording(page: ReportsPage, result: jobs.Result) -> None:
        fresh[result.name] = result.fresh
        on_drawn(page, result)

    monkeypatch.setattr(ReportsPage, "_on_drawn", recording)
    runner = ThreadRunner()
    window = MainWindow(sample, runner)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    helpers = window.findChild(ReportsHelpers)
    assert helpers is not None and helpers.wanted
    helpers.warm_up()  # as at idle after start-up
    qtbot.waitUntil(
        lambda: (
            helpers.page_class is not None
            and helpers.reader is not None
            and helpers.reader._pending == 0
        ),
        timeout=120_000,
    )
    window.show_place("reports")
    place = window.page_for("reports")
    assert isinstance(place, ReportsPlace)
    qtbot.waitUntil(lambda: place.page is not None, timeout=10_000)
    page = place.page
    assert page is not None
    qtbot.waitUntil(lambda: len(page.rendered) == len(CHARTS), timeout=60_000)
    assert fresh == {chart.name: False for chart in CHARTS}
    page.reader.close()  # type: ignore[union-attr]
    runner.wait()


def test_the_helpers_read_ahead_only_when_started_at_idle(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started at idle, each helper reads its lane's charts ahead; started because Reports is
    being opened, they start at once on nothing, and the page's own reads, each followed by
    its drawing, come first (docs/architecture.md, "Reports")."""
    warmed: list[list[Any]] = []
    monkeypatch.setattr(
        worker.ReportsReader, "warm_up", lambda _reader, queries: warmed.append(list(queries))
    )
    ahead = worker.start_helpers(window.ops, TODAY, read_ahead=True)
    assert [[(q.func, q.args[0]) for q in lanes] for lanes in warmed] == [
        [(jobs.prefetch, names) for names in LANES]
    ]
    warmed.clear()
    opened = worker.start_helpers(window.ops, TODAY, read_ahead=False)
    assert warmed == [[jobs.ready] * len(LANES)]
    jobs.ready(window.ops.database)  # reads nothing
    for reader in (ahead, opened):
        reader.close()

    asked: list[bool] = []
    monkeypatch.setattr(
        worker, "start_helpers", lambda _ops, _today, *, read_ahead: asked.append(read_ahead)
    )
    for opened_first in (False, True):
        helpers = ReportsHelpers(window)
        helpers.opened = opened_first
        helpers._on_worker(worker)
    assert asked == [True, False]


def test_reads_asked_for_while_reports_first_builds_wait_for_its_page(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened at once after start-up, Reports is built before the runner takes the start-up's
    last reads (docs/architecture.md, "Pauses"); then the runner goes on, with every read."""
    # No helper processes: the page's own reads go to the runner too.
    monkeypatch.setattr(ReportsHelpers, "for_page", lambda _helpers, _page_class: None)
    runner = ThreadRunner()
    window = MainWindow(sample, runner)
    qtbot.addWidget(window)
    window.show()
    seen: list[bool] = []
    on_loaded = ReportsPlace._on_loaded

    def loaded(place: ReportsPlace, page_class: Any) -> None:
        on_loaded(place, page_class)
        window.ops.read(lambda _db: place.page is not None, seen.append)

    monkeypatch.setattr(ReportsPlace, "_on_loaded", loaded)
    window.show_place("reports")
    qtbot.waitUntil(lambda: bool(seen), timeout=60_000)
    assert seen == [True]
    place = window.page_for("reports")
    assert isinstance(place, ReportsPlace) and place.page is not None
    qtbot.waitUntil(lambda: len(place.page.rendered) == len(CHARTS), timeout=60_000)  # type: ignore[union-attr]
    runner.wait()


def test_a_reports_page_that_fails_to_build_leaves_the_runner_going(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ReportsHelpers, "for_page", lambda _helpers, _page_class: None)

    def broken(_page: ReportsPage, _count: int) -> bool:
        raise RuntimeError("no tiles")

    monkeypatch.setattr(ReportsPage, "build_tiles", broken)
    runner = ThreadRunner()
    window = MainWindow(sample, runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.captureExceptions() as raised:
        window.show_place("reports")
        place = window.page_for("reports")
        assert isinstance(place, ReportsPlace)
        qtbot.waitUntil(lambda: bool(raised), timeout=60_000)
    assert "no tiles" in str(raised[0][1])
    seen: list[int] = []
    window.ops.read(lambda _db: 1, seen.append)
    qtbot.waitUntil(lambda: seen == [1], timeout=10_000)
    runner.wait()


def test_changing_the_range_redraws_every_chart_for_the_new_period(
    window: MainWindow, sample: Database
) -> None:
    page = _reports(window)
    before = page.data["touches"]

    page.set_range("All time")
    assert page.data["touches"].since is None
    assert len(page.data["touches"].rows) >= len(before.rows)
    page.set_custom(date(2025, 6, 1), date(2025, 8, 31))
    assert page.custom_row.isVisible()
    touches = page.data["touches"]
    assert [r[0] for r in touches.rows] == ["2025-06", "2025-07", "2025-08"]
    assert page.data["sales"].since == date(2025, 6, 1)
    # Charts of things as they stand today ignore the period, and say so.
    assert page.data["funnel"].since is None
    assert page.tiles["funnel"].canvas.title == page.rendered["funnel"].title


def _cell(page: ReportsPage, name: str) -> tuple[int, int]:
    row, column, _rows, _columns = cast(
        "tuple[int, int, int, int]", page.grid.getItemPosition(page.grid.indexOf(page.tiles[name]))
    )
    return row, column


def test_a_narrower_window_stacks_the_charts_and_redraws_them_to_fit(
    qtbot: QtBot, window: MainWindow, sample: Database
) -> None:
    window.resize(1600, 900)
    page = _reports(window)
    qtbot.waitUntil(lambda: page.tiles["sales"].canvas.image is not None)
    wide = page.rendered["sales"].width
    assert _cell(page, "touches") == (0, 1)

    window.resize(1000, 700)

    qtbot.waitUntil(lambda: page.rendered["sales"].width > wide, timeout=10_000)
    assert _cell(page, "touches") == (1, 0)
    canvas = page.tiles["sales"].canvas
    assert page.rendered["sales"].width <= canvas.width() + 1


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_each_chart_saves_in_each_format(
    window: MainWindow, sample: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    page = _reports(window)
    asked: list[Path] = []

    def answer(cls: type, parent: object, title: str, suggested: Path, k: str) -> Path:
        asked.append(suggested)
        return tmp_path / f"{len(asked)}.{k}"

    monkeypatch.setattr(SaveChartDialog, "ask", classmethod(answer))
    for chart in CHARTS:
        tile = page.tiles[chart.name]
        assert tile.save_button.isEnabled()
        tile.save_requested.emit(chart, kind)
    for n in range(1, len(CHARTS) + 1):
        _check_file(tmp_path / f"{n}.{kind}", kind)
    assert all(p.suffix == f".{kind}" for p in asked)
    assert window.statusBar().currentMessage().startswith("Saved the")


def test_the_dashboard_saves_as_one_pdf_page_and_a_charts_data_as_csv(
    window: MainWindow, sample: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _reports(window)
    targets = {"pdf": tmp_path / "week.pdf", "csv": tmp_path / "touches.csv"}
    monkeypatch.setattr(
        SaveChartDialog, "ask", classmethod(lambda cls, parent, title, s, k: targets[k])
    )

    page.pdf_button.click()
    _check_file(targets["pdf"], "pdf")

    page.tiles["touches"].csv_button.click()
    lines = targets["csv"].read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Month,In person,Email,Phone,Mail,Video,Gift,Total"
    assert len(lines) - 1 == len(page.data["touches"].rows)


def _click_hit(qtbot: QtBot, page: ReportsPage, name: str, kind: str, value: object) -> None:
    canvas = page.tiles[name].canvas
    for (x, y, w, h), drill in canvas.hits:
        if drill.kind == kind and drill.value == value:
            page.scroller.ensureWidgetVisible(canvas)
            qtbot.mouseClick(
                canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(x + w / 2), int(y + h / 2))
            )
            return
    raise AssertionError(f"no {kind} bar for {value!r} on the {name} chart")


def test_clicking_a_lifecycle_bar_opens_those_contacts(
    qtbot: QtBot, window: MainWindow, sample: Database
) -> None:
    page = _reports(window)
    counts = {str(r[0]): int(str(r[2])) for r in page.data["lifecycle"].rows}
    status = max(
        (s.value for s in Lifecycle if s is not Lifecycle.PROSPECTIVE), key=lambda k: counts[k]
    )
    assert counts[status] > 0

    _click_hit(qtbot, page, "lifecycle", "lifecycle", status)

    assert window.current_place() == "contacts"
    contacts_page = window.contacts_page
    assert contacts_page.sales_filters.lifecycle() == status
    qtbot.waitUntil(lambda: contacts_page.model.total == counts[status])
    assert contacts.count_contacts(sample, ContactQuery(lifecycle=status)) == counts[status]


def test_clicking_a_funnel_bar_opens_the_contacts_at_that_stage(
    qtbot: QtBot, window: MainWindow, sample: Database
) -> None:
    page = _reports(window)
    with sample.reading() as session:
        stage = journeys.active_stages(session)[1]
    now = {r[1]: r[2] for r in page.data["funnel"].rows}[stage.label]

    _click_hit(qtbot, page, "funnel", "stage", stage.id)

    filters = window.contacts_page.filters.filters
    assert filters.stage_id == stage.id and not filters.stuck
    assert window.contacts_page.filters.chip_buttons[0].text().startswith(f"Stage: {stage.label}")
    qtbot.waitUntil(lambda: window.contacts_page.model.total == now)


def test_clicking_a_top_customer_opens_that_contact(
    qtbot: QtBot, window: MainWindow, sample: Database
) -> None:
    page = _reports(window)
    first = page.data["top-customers"].rows[0]

    _click_hit(qtbot, page, "top-customers", "contact", first[1])

    assert window.current_place() == "contacts"
    assert window.contacts_page.current_id() == first[1]


def test_an_empty_database_says_what_reports_will_show(window: MainWindow) -> None:
    page = _reports(window)

    assert page.empty_label.isVisible()
    assert "Once you add contacts" in page.empty_label.text()
    assert not any(tile.isVisible() for tile in page.tiles.values())
    assert not page.value_panel.isVisible()
    assert not page.pdf_button.isEnabled()


def test_contacts_without_sales_get_explanations_not_zeros(
    window: MainWindow, contact_factory: ContactFactory
) -> None:
    contact_factory()
    page = _reports(window)

    assert not page.empty_label.isVisible()
    assert page.value_panel.empty.isVisible()
    assert not page.value_panel.cards.isVisible()
    for name in ("sales", "top-customers", "plan", "satisfaction", "touches"):
        canvas = page.tiles[name].canvas
        assert canvas.title == "No data yet"
        assert page.rendered[name].empty == BY_NAME[name].empty


def test_the_funnel_chart_draws_the_funnel_report_with_skipped_stages(
    database: Database, contact_factory: ContactFactory
) -> None:
    """A contact jumps from the first stage to the third: the chart's rows are the funnel
    report's, and its now column agrees with SQL on the contacts."""
    with database.reading() as session:
        s, p, c, loyal = (x.id for x in journeys.active_stages(session))
    jumper = contact_factory()
    stages.set_stage(database, [jumper], c, reason="", now=datetime(2026, 1, 5, tzinfo=UTC))
    walker = contact_factory()
    for stage_id, day in ((p, 3), (c, 10), (loyal, 20)):
        stages.set_stage(
            database, [walker], stage_id, reason="", now=datetime(2026, 1, day, tzinfo=UTC)
        )
    contact_factory()

    data = load(BY_NAME["funnel"], database, None, None, TODAY)

    report = build(load_reports()["funnel"], database, ExportOptions(today=TODAY))
    assert list(data.rows) == [tuple(r) for r in report.rows]
    assert [x[0] for x in data.extra["stages"]] == [s, p, c, loyal]
    assert [r[2] for r in data.rows] == [1, 0, 1, 1]
    rendered = charts.render(BY_NAME["funnel"], data, palette.LIGHT, width=600, height=320)
    clickable = {(d.kind, d.value) for _box, d in rendered.hits}
    assert clickable == {("stage", s), ("stage", c), ("stage", loyal)}


def test_a_drawn_chart_reaches_the_app_without_loading_the_plotting_library(
    sample: Database, tmp_path: Path
) -> None:
    """What the helper process sends back is plain data: unpickling it in the app must not
    import matplotlib or numpy (a second of the app's interpreter and about 100 MiB)."""
    results = [
        draw(
            Job(0, chart, None, None, TODAY, palette.LIGHT, 600, 320, 1.0),
            sample,
        )
        for chart in CHARTS
    ]
    assert any(r.image.hits for r in results)
    sent = tmp_path / "results.pickle"
    sent.write_bytes(pickle.dumps(results))
    check = (
        "import pickle, sys; pickle.loads(open(sys.argv[1], 'rb').read()); "
        "print(sorted(m for m in ('matplotlib', 'numpy', 'PIL') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check, str(sent)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert loaded.stdout.strip() == "[]"


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    path = tmp_path / "sample.sqlite"
    with open_database(path) as database:
        demo.generate(database, contacts=30, seed=2)
    return path


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_cli_writes_a_chart(
    sample_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = tmp_path / f"sales.{kind}"
    args = ["--db", str(sample_path), "chart", "sales", "--output", str(out)]
    assert cli.main([*args, "--since", "2025-01-01", "--until", "2025-12-31"]) == 0
    _check_file(out, kind)
    assert capsys.readouterr().out.strip() == f"Wrote {out}"


def test_cli_writes_the_dashboard(sample_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "week.pdf"
    assert cli.main(["--db", str(sample_path), "chart", "dashboard", "-o", str(out)]) == 0
    _check_file(out, "pdf")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "-o", "x.png"], "unknown chart 'nope'"),
        (["dashboard", "-o", "x.png"], "one-page PDF"),
        (["sales", "-o", "x.txt"], "must end in .png, .svg or .pdf"),
        (["sales", "-o", "x.png", "--since", "2026-02-01", "--until", "2026-01-01"], "after"),
        (["funnel", "-o", "x.png", "--since", "2026-01-01"], "as they stand today"),
        (["sales", "-o", "x.png", "--since", "yesterday"], "is not a date"),
        (["sales"], "required"),
    ],
)
def test_cli_chart_usage_errors_exit_2(
    sample_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", str(sample_path), "chart", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))


def test_a_helper_keeps_chart_rows_until_the_database_changes(
    sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = local_today()
    since, until = period_of("Last 12 months", today)
    cache = jobs.RowsCache(ChangeWatch(sample.path))
    monkeypatch.setattr(jobs, "_cache", cache)
    fresh = load(BY_NAME["touches"], sample, since, until, today)
    jobs.prefetch(["touches", "lifecycle", FIGURES], since, until, today, sample)
    reads: list[str] = []
    real_load = load

    def counted(chart: Chart, *args: object) -> ChartData:
        reads.append(chart.name)
        return real_load(chart, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "load", counted)
    job = jobs.Job(1, BY_NAME["touches"], since, until, today, palette.LIGHT, 600, 330, 1.0)

    # Read ahead: drawn from the rows kept, and the same rows as reading them now.
    assert jobs.draw(job, sample).data == fresh
    assert jobs.draw(replace(job, chart=BY_NAME["lifecycle"]), sample).data.rows
    assert reads == []
    # Another period is read.
    jobs.draw(replace(job, since=None, until=None), sample)
    assert reads == ["touches"]

    # A touch logged: nothing kept is used any more.
    contact = listing.contact_ids(sample, ContactQuery(), 0, 1)[0]
    log_touch(sample, TouchInput(contact, Medium.EMAIL, datetime.now(UTC)))
    again = jobs.draw(job, sample).data
    assert reads == ["touches", "touches"]
    assert again.column("total")[-1] == int(str(fresh.column("total")[-1])) + 1
    cache.watch.close()


def test_a_chart_read_again_with_the_same_rows_is_not_drawn_again(
    sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "_drawn", {})
    drawn: list[str] = []
    real_render = charts.render

    def counted(chart: Chart, *args: object, **kwargs: object) -> Rendered:
        drawn.append(chart.name)
        return real_render(chart, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "render", counted)
    today = local_today()
    since, until = period_of("Last 12 months", today)
    job = jobs.Job(1, BY_NAME["sales"], since, until, today, palette.LIGHT, 600, 330, 1.0)
    first = jobs.draw(job, sample)
    # Read again (the database changed, but not its sales): the same image, not drawn anew.
    contact = listing.contact_ids(sample, ContactQuery(), 0, 1)[0]
    log_touch(sample, TouchInput(contact, Medium.EMAIL, datetime.now(UTC)))
    again = jobs.draw(replace(job, generation=2), sample)
    assert drawn == ["sales"]
    assert again.image is first.image and again.generation == 2
    # Another look, size or set of rows is drawn.
    jobs.draw(replace(job, palette=palette.DARK), sample)
    jobs.draw(replace(job, width=500), sample)
    jobs.draw(replace(job, chart=BY_NAME["touches"]), sample)
    jobs.draw(replace(job, since=None, until=None), sample)
    assert drawn == ["sales", "sales", "sales", "touches", "sales"]
    # The touches chart counts the new touch: its rows differ, so it is drawn again.
    log_touch(sample, TouchInput(contact, Medium.EMAIL, datetime.now(UTC)))
    jobs.draw(replace(job, chart=BY_NAME["touches"]), sample)
    assert drawn[-1] == "touches" and len(drawn) == 6
    assert len(jobs._drawn) <= jobs.DRAWN_KEPT


def test_every_chart_on_the_sample_data_states_a_finding(welcomed: Database) -> None:
    demo.generate(welcomed, contacts=300, seed=2)
    today = local_today()
    since, until = period_of("Last 12 months", today)
    titles = {}
    for chart in CHARTS:
        data = load(chart, welcomed, since, until, today)
        drawn = charts.render(chart, data, palette.LIGHT, width=600, height=330)
        assert not drawn.empty, chart.name
        titles[chart.name] = drawn.title
    # The follow-up habit and the 100-day plan have done, late and missed follow-ups.
    habit = re.match(
        r"(\d+)% of ([\d,]+) follow-ups done on time; ([\d,]+) late", titles["followups"]
    )
    assert habit is not None and 0 < int(habit.group(1)) < 100 and habit.group(3) != "0"
    plan = re.match(
        r"(\d+)% of ([\d,]+) due plan steps done on time, ([\d,]+) missed", titles["plan"]
    )
    assert plan is not None and 0 < int(plan.group(1)) < 100 and int(plan.group(3)) > 0
    moved = re.search(r"(\d+) moved up a level, (\d+) down", titles["satisfaction"])
    assert moved is not None and int(moved.group(1)) + int(moved.group(2)) > 0


def test_the_funnels_rows_are_read_again_only_when_what_it_is_read_from_changed(
    sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "_lasting", {})
    loads: list[str] = []

    def counted(chart: Chart, *args: object) -> ChartData:
        loads.append(chart.name)
        return load(chart, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "load", counted)
    today = local_today()
    since, until = period_of("Last 12 months", today)
    funnel = BY_NAME["funnel"]
    with sample.reading() as session:
        loyal = journeys.active_stages(session)[-1].id
    cid = listing.contact_ids(sample, ContactQuery(stage_id=loyal), 0, 1)[0]

    first = jobs.chart_rows(funnel, sample, since, until, today)
    # A touch, as the bench logs one before opening Reports: the funnel stands as it was.
    log_touch(sample, TouchInput(cid, Medium.PHONE, datetime.now(UTC), summary="Called"))
    again = jobs.chart_rows(funnel, sample, since, until, today)

    assert loads == ["funnel"] and again is first
    # A move: read again, and the same as reading it afresh.
    first_stage = next(iter(journeys.current_stages(sample))).id
    stages.set_stage(sample, [cid], first_stage, reason="starting over")
    moved = jobs.chart_rows(funnel, sample, since, until, today)

    assert loads == ["funnel", "funnel"]
    assert moved.rows != first.rows
    assert moved == load(funnel, sample, since, until, today)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="the system has no nice")
def test_a_helper_process_lowers_its_priority_before_loading_anything_heavy() -> None:
    """The helpers yield the processor to the window (docs/architecture.md, "Reports")."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=helper.lower_priority) as pool:
        niceness = pool.submit(os.nice, 0).result(timeout=60)
        policy = (
            pool.submit(os.sched_getscheduler, 0).result(timeout=60)
            if hasattr(os, "SCHED_IDLE")
            else None
        )
        loaded = pool.submit(
            eval,
            "sorted({m.split('.')[0] for m in __import__('sys').modules}"
            " & {'sqlalchemy', 'matplotlib', 'PySide6', 'db', 'numpy'})",
        ).result(timeout=60)
    assert niceness == os.nice(0) + helper.NICENESS
    # Linux: scheduled only on cycles nothing else wants, never ahead of the window's thread.
    if hasattr(os, "SCHED_IDLE"):
        assert policy == os.SCHED_IDLE
    assert loaded == []


def test_reads_run_in_the_app_when_a_helper_cannot_be_started(
    qtbot: QtBot,
    sample: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(worker, "ProcessPoolExecutor", refused)
    runner = ThreadRunner()
    reader = worker.ReportsReader(OpsBus(sample, runner))
    got: list[int] = []
    # Reads asked for on both lanes before the failure is known all run in the app.
    for lane in (0, 1, 1, 0):
        reader.read(_contact_count, got.append, lane=lane)
    qtbot.waitUntil(lambda: len(got) == 4, timeout=10_000)
    assert reader._broken
    # Later reads go straight to the app's background runner.
    reader.read(_contact_count, got.append)
    qtbot.waitUntil(lambda: len(got) == 5, timeout=10_000)
    assert set(got) == {count_contacts(sample, ContactQuery())} and got[0] > 0
    assert reader._broken and reader._pending == 0
    assert "Resource temporarily unavailable" in caplog.text
    runner.wait()


class _ThreadLanes:
    """Helper processes stood in for by one thread each, named by the lane that made them;
    ``handed`` lists the reads handed to them, in order."""

    def __init__(self) -> None:
        self.made = 0
        self.handed: list[object] = []

    def __call__(self, **_kwargs: object) -> ThreadPoolExecutor:
        self.made += 1
        handed = self.handed

        class Lane(ThreadPoolExecutor):
            def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
                handed.append(args[0])
                return super().submit(fn, *args, **kwargs)

        return Lane(max_workers=1, thread_name_prefix=f"lane{self.made}")


def test_a_lane_with_nothing_of_its_own_takes_the_last_reads_waiting_for_the_other(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "ProcessPoolExecutor", _ThreadLanes())
    monkeypatch.setattr(jobs, "run_in_helper", lambda query: query(None))
    go = [threading.Event() for _ in range(7)]
    started: list[tuple[int, str]] = []

    def read_number(n: int) -> Callable[[object], int]:
        def read(_database: object) -> int:
            started.append((n, threading.current_thread().name.split("_")[0]))
            go[n].wait(10)
            return n

        return read

    reader = worker.ReportsReader(OpsBus(sample))
    got: list[int] = []
    reader.read(read_number(0), got.append, lane=0)  # lane 0's only read
    for n in range(1, 7):
        reader.read(read_number(n), got.append, lane=1)
    # Each lane runs its own first read ("lane1" is the first helper made: lane 0's).
    qtbot.waitUntil(lambda: len(started) == 2, timeout=10_000)
    assert sorted(started) == [(0, "lane1"), (1, "lane2")]
    go[0].set()
    # Done with its own, lane 0 takes the last read waiting for lane 1, not one lane 1 was
    # already handed (the next after the one it runs).
    qtbot.waitUntil(lambda: len(started) == 3, timeout=10_000)
    assert started[2] == (6, "lane1")
    for event in go:
        event.set()
    qtbot.waitUntil(lambda: len(got) == 7, timeout=10_000)
    assert dict(started)[2] == "lane2"
    assert reader._pending == 0 and not reader._broken
    reader.close()


def test_a_warm_up_read_is_never_taken_by_another_lane(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a warm-up reads and draws is kept by the helper that did it: it stays there."""
    monkeypatch.setattr(worker, "ProcessPoolExecutor", _ThreadLanes())
    monkeypatch.setattr(jobs, "run_in_helper", lambda query: query(None))
    go = threading.Event()
    ran_on: dict[str, str] = {}

    def read(name: str, *, wait: bool) -> Callable[[object], None]:
        def run(_database: object) -> None:
            ran_on[name] = threading.current_thread().name.split("_")[0]
            if wait:
                go.wait(10)

        return run

    reader = worker.ReportsReader(OpsBus(sample))
    done: list[None] = []
    reader.read(read("own", wait=False), done.append, lane=0)
    reader.read(read("busy", wait=True), done.append, lane=1)
    reader.read(read("ahead", wait=True), done.append, lane=1)
    reader.warm_up([read("warm 0", wait=False), read("warm 1", wait=False)])
    qtbot.waitUntil(lambda: "warm 0" in ran_on, timeout=10_000)
    reader._submitter.submit(lambda: None).result()
    assert "warm 1" not in ran_on  # lane 0 is idle, but lane 1's warm-up waits for lane 1
    go.set()
    qtbot.waitUntil(lambda: len(done) == 3 and "warm 1" in ran_on, timeout=10_000)
    assert ran_on["warm 1"] == ran_on["busy"] == "lane2"
    reader.close()


def test_a_read_asked_for_last_waits_until_no_other_read_does(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The value figures, below the charts, go to a helper once no chart waits for one."""
    lanes = _ThreadLanes()
    monkeypatch.setattr(worker, "ProcessPoolExecutor", lanes)
    monkeypatch.setattr(jobs, "run_in_helper", lambda query: query(None))
    go = threading.Event()

    def wait_for_go(_database: object) -> None:
        go.wait(10)

    reads = [partial(wait_for_go) for _ in range(6)]
    figures = partial(wait_for_go)
    reader = worker.ReportsReader(OpsBus(sample))
    done: list[None] = []
    for n, read in enumerate(reads):
        reader.read(read, done.append, lane=min(n, 1))  # one for lane 0, five for lane 1
    reader.read(figures, done.append, lane=0, last=True)
    reader._submitter.submit(lambda: None).result()  # all asked for; two lanes busy
    # Lane 0 had room for one more, but charts were still waiting for lane 1.
    assert figures not in lanes.handed
    go.set()
    qtbot.waitUntil(lambda: len(done) == 7, timeout=10_000)
    assert lanes.handed[-1] is figures and len(lanes.handed) == 7
    assert reader._pending == 0
    reader.close()


def test_reads_waiting_when_a_helper_fails_run_in_the_app(
    qtbot: QtBot, sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """None is lost: those handed to a helper and not begun, and those still waiting."""
    monkeypatch.setattr(worker, "ProcessPoolExecutor", _ThreadLanes())
    calls = iter(range(1_000))

    def fails_first(query: Callable[[Database], int]) -> int:
        if next(calls) == 0:
            raise RuntimeError("the helper process died")
        return query(sample)

    monkeypatch.setattr(jobs, "run_in_helper", fails_first)
    runner = ThreadRunner()
    reader = worker.ReportsReader(OpsBus(sample, runner))
    got: list[int] = []
    for _ in range(6):
        reader.read(_contact_count, got.append, lane=0)
    qtbot.waitUntil(lambda: len(got) == 6, timeout=10_000)
    assert set(got) == {count_contacts(sample, ContactQuery())}
    assert reader._broken and reader._pending == 0
    runner.wait()


def _contact_count(database: Database) -> int:
    return count_contacts(database, ContactQuery())


class _RecordingReader:
    """Stands in for the helpers: notes each chart read's lane and whether it was pinned
    there (``ReportsReader.read``), and runs nothing."""

    def __init__(self) -> None:
        self.charts: list[tuple[str, int, bool]] = []

    def read(
        self,
        query: Any,
        _on_done: Any,
        *,
        lane: int = 0,
        last: bool = False,
        pinned: bool = False,
    ) -> None:
        if isinstance(query, partial) and query.func is draw:
            self.charts.append((query.args[0].chart.name, lane, pinned))

    def asked(self) -> set[bool]:
        """Whether the charts of the last round were pinned (each round asks for all)."""
        return {pinned for _name, _lane, pinned in self.charts[-len(CHARTS) :]}


def test_charts_drawn_ahead_wait_for_their_own_lane_and_only_then(
    qtbot: QtBot, sample: Database
) -> None:
    """A lane keeps what it drew: opening on the charts drawn ahead, each waits for its own
    lane; afterwards (a change, a new period) a lane with nothing to do may take another's."""
    for drawn_ahead in (True, False):
        reader = _RecordingReader()
        page = ReportsPage(
            OpsBus(sample), reader=cast(worker.ReportsReader, reader), drawn_ahead=drawn_ahead
        )
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        qtbot.waitUntil(lambda r=reader: len(r.charts) == len(CHARTS))  # type: ignore[misc]
        assert reader.asked() == {drawn_ahead}
        assert all(lane == LANE_OF[name] for name, lane, _pinned in reader.charts)
        page.reload()  # as after a change
        assert len(reader.charts) == 2 * len(CHARTS) and reader.asked() == {False}
        page.set_range("All time")
        assert len(reader.charts) == 3 * len(CHARTS) and reader.asked() == {False}


def test_a_change_after_the_charts_were_drawn_ahead_lets_the_lanes_share_them_again(
    qtbot: QtBot, sample: Database
) -> None:
    window = MainWindow(sample, ImmediateRunner())
    qtbot.addWidget(window)
    helpers = window.findChild(ReportsHelpers)
    assert helpers is not None
    helpers.drew_ahead = True
    window.ops.announce(Changes(tags=True))  # no chart reads the tags
    assert helpers.drew_ahead
    window.ops.announce(Changes(touches=True))
    assert not helpers.drew_ahead
