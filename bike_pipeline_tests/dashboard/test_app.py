"""The dashboard in headless Chromium while a simulation runs: charts render, and every
number on the page equals what PostgreSQL holds for the events it says it has counted."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
import waitress
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bike_pipeline import services
from bike_pipeline.dashboard.app import create_app
from bike_pipeline.dashboard.live_events import RECENT_EVENTS
from bike_pipeline.dashboard.matchmaking import MatchLookup
from bike_pipeline.dashboard.snapshot import DashboardData, Snapshot
from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES
from bike_pipeline.events.run_notices import RECENT_KEY, RunNotice, publish_run_notice
from bike_pipeline.geo.netherlands import country_rings, province_rings
from bike_pipeline.graph.connection import open_graph
from bike_pipeline.graph.matches import find_matches
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline.settings import HOME_VAR
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline_tests.dashboard.browser import headless_chromium, served_dashboard
from bike_pipeline_tests.dashboard.world import bike_statuses, max_event_id, rows, type_counts
from bike_pipeline_tests.privacy_scan import PersonalValues, assert_no_personal_values
from bike_pipeline_tests.reporting.headlines import typed_headline

CHARTS = ("counts-chart", "fleet-chart", "map-chart", "demand-chart")
WAIT_MS = 60_000  # generous: CI shares two cores with other work
# Live ticks at 0.25 s, in short runs until the test has seen the page update mid-run
# (at most MAX_TICKS): as long as the page needs, however slow the machine.
LIVE_RUN = SimulationRequest(more_ticks=4, seed=9, scenario="full", pace_s=0.25)
MAX_TICKS = 400
SCREENSHOTS_VAR = "BIKE_PIPELINE_SCREENSHOTS"  # a folder to keep the page's screenshot in

# The page's numbers and chart data, once every chart is drawn from the same snapshot as
# the numbers (`layout.meta.as_of_event`) and the last event id meets CONDITION; else null.
_READ_PAGE = """() => {
  const text = (id) => document.getElementById(id).textContent;
  const plot = (id) => document.querySelector('#' + id + ' .js-plotly-plot');
  if (!document.getElementById('last-event-id')) return null;  // layout not rendered yet
  const last = Number(text('last-event-id').replaceAll(',', ''));
  if (Number.isNaN(last) || !(last CONDITION)) return null;
  for (const id of CHARTS) {
    const meta = plot(id) && plot(id).layout && plot(id).layout.meta;
    if (!meta || meta.as_of_event !== last) return null;
  }
  const data = (id) => plot(id).data;
  const stations = data('map-chart').find((t) => t.name === 'stations');
  return {
    last: last,
    unmet: text('unmet-total'),
    counts: Object.fromEntries(TYPES.map((t) => [t, text('count-' + t)])),
    fleet: Object.fromEntries(STATUSES.map((s) => [s, text('fleet-' + s)])),
    countsChart: data('counts-chart')[0].y,
    fleetChart: data('fleet-chart')[0].x,
    refusedChart: data('demand-chart')[0].y,
    rentedChart: data('demand-chart')[1].y,
    mapColours: stations.marker.color,
    mapPoints: stations.x.map((x, i) => [x, stations.y[i]]),
  };
}"""
_PAGE_CONSTANTS = {
    "TYPES": json.dumps(list(EVENT_TYPES)),
    "STATUSES": json.dumps(list(BIKE_STATUSES)),
    "CHARTS": json.dumps(list(CHARTS)),
}


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_last_id(page: Page, condition: str, engine: sa.Engine) -> dict[str, Any]:
    """The page's figures once its last event id meets `condition` (e.g. "> 0") and every
    chart shows that same snapshot."""
    script = _READ_PAGE.replace("CONDITION", condition)
    for name, value in _PAGE_CONSTANTS.items():
        script = script.replace(name, value)
    try:
        return page.wait_for_function(script, timeout=WAIT_MS).json_value()
    except PlaywrightTimeoutError:
        shown = page.inner_text("#last-event-id")
        problems = page.inner_text("#problems")
        raise AssertionError(
            f"the page never showed a last event id {condition} (shows {shown!r}, "
            f"problems: {problems!r}; the database is at event {max_event_id(engine)})"
        ) from None


def _assert_counts_match(shown: dict[str, Any], engine: sa.Engine) -> None:
    expected = type_counts(engine, shown["last"])
    assert {t: _number(n) for t, n in shown["counts"].items()} == {
        t: expected[t] for t in EVENT_TYPES
    }
    assert shown["countsChart"] == [expected[t] for t in EVENT_TYPES]
    assert _number(shown["unmet"]) == expected["rent_refused"]
    assert sum(shown["refusedChart"]) == expected["rent_refused"]
    assert sum(shown["rentedChart"]) == expected["rented"]


def _assert_map_matches(shown: dict[str, Any], engine: sa.Engine) -> None:
    placed = rows(
        engine,
        "SELECT b.longitude, b.latitude FROM (SELECT bike_id FROM core.events "
        "WHERE event_id <= :last AND bike_id IS NOT NULL ORDER BY event_id DESC LIMIT :n) e "
        "JOIN core.bikes b USING (bike_id)",
        last=shown["last"],
        n=RECENT_EVENTS,
    )
    assert sum(shown["mapColours"]) == len(placed) > 0
    assert sorted(map(tuple, shown["mapPoints"])) == sorted(set(placed))


def _assert_report_card(page: Page, folder: Path, url: str) -> None:
    """A report written while the page is open appears as the headline card: a row per
    scenario of its summary, the recommendation, and a link that serves its HTML."""
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html><body><h1>the report</h1></body></html>")
    summary = {
        "rows": [
            {
                "Scenario": name,
                "Current fleet keeps 95%?": verdict,
                "Worst-week service level": worst,
                "Profit over the horizon": profit,
                "Cheapest policy keeping 95% (profit)": "1,600 bikes + 10/week: EUR +12k",
            }
            for name, verdict, worst, profit in (
                ("seed", "no", "12.0% (+/-0.5%)", "EUR -2.12M (+/-0.01M)"),
                ("calibrated", "yes", "99.3% (+/-0.2%)", "EUR +64k (+/-5k)"),
            )
        ],
        "recommendation": "Keep the current fleet under the calibrated assumptions.",
    }
    content = typed_headline(summary=summary, depth="default", report_dir=str(folder))
    (folder / "headline.json").write_text(json.dumps(content))
    page.wait_for_selector("#report-scenarios", timeout=WAIT_MS)
    shown = page.locator("#report-scenarios tbody tr").all_inner_texts()
    assert [row.split("\t")[:4] for row in shown] == [
        ["seed", "no", "12.0% (+/-0.5%)", "EUR -2.12M (+/-0.01M)"],
        ["calibrated", "yes", "99.3% (+/-0.2%)", "EUR +64k (+/-5k)"],
    ]
    card = page.inner_text("#report-card")
    assert summary["recommendation"] in card and "default depth" in card
    assert str(folder) not in card  # no machine path
    href = page.get_attribute("#report-link", "href")
    assert href == "/reports/2026-01-01_seed/report.html"
    with urllib.request.urlopen(url.rstrip("/") + href, timeout=10) as served:
        assert b"the report" in served.read()


def _assert_last_runs(page: Page, client: redis.Redis) -> None:
    """A finished run's notice shows among the last runs, with a link to it."""
    notice = RunNotice("r1", "ingest_dump", "SUCCESS", 12.5, "http://127.0.0.1:3000/runs/r1")
    publish_run_notice(client, notice)
    page.wait_for_selector("#runs-table", timeout=WAIT_MS)
    [row] = page.locator("#runs-table tbody tr").all_inner_texts()
    assert row.split("\t")[:3] == ["ingest_dump", "success", "12.5 s"]
    assert page.get_attribute("#runs-table a", "href") == notice.url


def _simulate_until(stop: threading.Event, engine: sa.Engine, client: redis.Redis) -> int:
    """Run live ticks until `stop` is set; return the number of events."""
    events = 0
    for _ in range(MAX_TICKS // (LIVE_RUN.more_ticks or 1)):
        result = run_simulation(engine, LIVE_RUN, client)
        assert result.relay_ok
        events += result.events
        if stop.is_set():
            break
    return events


def _customer_with_matches(engine: sa.Engine) -> int:
    (customer_id,) = rows(
        engine,
        "SELECT min(a.customer_id) FROM core.rentals a JOIN core.rentals b "
        "ON a.bike_id = b.bike_id AND a.customer_id <> b.customer_id",
    )[0]
    return customer_id


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium (fresh profile) for this module's tests, a page per test."""
    with headless_chromium(tmp_path_factory.mktemp("chromium_profile")) as context:
        yield context


def test_the_page_shows_the_database_figures_during_a_live_simulation(
    browser: BrowserContext,
    dumped: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, HOME_VAR: str(home)}
    with (
        served_dashboard(_free_port(), env, tmp_path / "dashboard.log") as url,
        ThreadPoolExecutor(1) as simulation,
    ):
        stop = threading.Event()
        running = simulation.submit(_simulate_until, stop, dumped, redis_client)
        page = browser.new_page()
        page.goto(url)
        for chart in CHARTS:
            page.wait_for_selector(f"#{chart} .main-svg", timeout=WAIT_MS)
        assert not running.done() or running.result() is None, "the simulation stopped early"
        during = _wait_for_last_id(page, "> 0", dumped)
        assert not running.done(), "the page should load while the simulation runs"
        _assert_counts_match(during, dumped)
        later = _wait_for_last_id(page, f"> {during['last']}", dumped)
        _assert_counts_match(later, dumped)

        stop.set()
        events = running.result()
        assert events == max_event_id(dumped)
        final = _wait_for_last_id(page, f"== {events}", dumped)
        _assert_counts_match(final, dumped)
        _assert_map_matches(final, dumped)
        assert page.locator("#counts-chart .barlayer .point").count() == len(EVENT_TYPES)
        assert page.locator("#map-chart .scatterlayer .point").count() == len(final["mapPoints"])
        fleet = bike_statuses(dumped)
        assert {s: _number(n) for s, n in final["fleet"].items()} == {
            s: fleet[s] for s in BIKE_STATUSES
        }
        assert final["fleetChart"] == [fleet[s] for s in BIKE_STATUSES]

        outline = len(country_rings()) + sum(len(r) for r in province_rings().values())
        assert page.locator("#map-chart .scatterlayer .js-line").count() == outline
        assert "No report yet" in page.inner_text("#report-headline")
        _assert_report_card(page, home / "reports" / "2026-01-01_seed", url)

        graph = open_graph(servers.graph_url)
        sync_graph(dumped, graph)
        customer_id = _customer_with_matches(dumped)
        page.fill("#match-customer", str(customer_id))
        page.click("#match-button")
        page.wait_for_selector("#match-table", timeout=WAIT_MS)
        shown_rows = page.locator("#match-table tbody tr").all_inner_texts()
        expected = find_matches(graph, customer_id, limit=20)
        assert [r.split("\t")[:2] for r in shown_rows] == [
            [str(m.customer_id), str(m.bike_id)] for m in expected
        ]

        redis_client.delete(RECENT_KEY)
        try:
            _assert_last_runs(page, redis_client)
            shots = Path(os.environ.get(SCREENSHOTS_VAR) or tmp_path)
            page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
        finally:
            redis_client.delete(RECENT_KEY)
        assert_no_personal_values(page.content(), PersonalValues.from_database(dumped), "page")
        page.close()


class _SlowerThanTheInterval:
    """The real data, answering each refresh later than the page asks for the next one."""

    def __init__(self, data: DashboardData, delay_s: float) -> None:
        self.data = data
        self.delay_s = delay_s

    def snapshot(self) -> Snapshot:
        time.sleep(self.delay_s)
        return self.data.snapshot()


class _FailingOnce:
    """The real data, except that the first refresh fails (as a lost request would)."""

    def __init__(self, data: DashboardData) -> None:
        self.data = data
        self.calls = 0

    def snapshot(self) -> Snapshot:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("the first refresh fails on purpose")
        return self.data.snapshot()


def _assert_page_reaches_the_database(browser: BrowserContext, app: Any, engine: sa.Engine) -> None:
    """Serve `app`, open it, and check the page's figures against the database once they
    show its last event."""
    server = waitress.create_server(app.server, host="127.0.0.1", port=_free_port())
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.effective_port}/")
        shown = _wait_for_last_id(page, f"== {max_event_id(engine)}", engine)
        _assert_counts_match(shown, engine)
        page.close()
    finally:
        server.close()
        serving.join(timeout=10)


def test_a_refresh_that_never_answers_does_not_stop_the_page(
    browser: BrowserContext, dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """The watchdog re-arms the timer after a refresh whose answer never came."""
    run_simulation(dumped, SimulationRequest(ticks=10, seed=4, scenario="full"), redis_client)
    source = _FailingOnce(DashboardData(dumped, redis_client, tmp_path, max_age_s=0))
    app = create_app(source, lambda c: MatchLookup(c, (), ""), refresh_ms=200, watchdog_ms=500)
    _assert_page_reaches_the_database(browser, app, dumped)
    assert source.calls >= 2


def test_refreshes_slower_than_the_interval_still_reach_the_page(
    browser: BrowserContext, dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """A loaded server must not starve the page: each answer is shown, none superseded."""
    run_simulation(dumped, SimulationRequest(ticks=10, seed=3, scenario="full"), redis_client)
    data = DashboardData(dumped, redis_client, tmp_path, max_age_s=0)
    refresh_ms = 200
    slow = _SlowerThanTheInterval(data, delay_s=3 * refresh_ms / 1000)
    app = create_app(slow, lambda c: MatchLookup(c, (), ""), refresh_ms)
    _assert_page_reaches_the_database(browser, app, dumped)
