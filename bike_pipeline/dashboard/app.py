"""The Dash page: layout and callbacks only; the data comes from `DashboardData`.

Element ids are stable (`count-<type>`, `fleet-<status>`, `last-event-id`, the four
`*-chart` graphs, `report-headline`, `match-*`): the browser test reads them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import dash
import flask
from dash import dcc, html
from werkzeug.exceptions import BadRequest

from bike_pipeline.dashboard import figures
from bike_pipeline.dashboard.matchmaking import MatchLookup
from bike_pipeline.dashboard.refresh_answer import NoAnswerYet, Outputs, RefreshPublisher
from bike_pipeline.dashboard.report_headline import Headline, HeadlineProblem
from bike_pipeline.dashboard.snapshot import Snapshot
from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES

REFRESH_MS = 2000  # one live tick
WATCHDOG_MIN_MS = 10_000
MAX_CUSTOMER_ID = 2**31 - 1  # core.customers.customer_id is an integer
CALLBACK_PATH = "_dash-update-component"
REPORTS_PATH = "/reports"
REPORT_HTML = "report.html"
_CALLBACK_LISTS = ("inputs", "state", "changedPropIds")
TICK = ("tick", "n_intervals")
TICK_ARMED = ("tick", "max_intervals")
SNAPSHOT_EVERY_S = 1.0  # the shared snapshot's age at most (plus the time to take it)

# The watchdog re-arms the refresh timer when a whole watchdog period passed with the timer
# stopped on the same count, i.e. the answer to the last refresh never came (a request the
# server failed or the network lost); otherwise the page would stop refreshing for good.
_WATCHDOG_JS = """function(_, count, limit, seen) {
  const n = count || 0;
  const stalled = seen !== null && seen !== undefined && seen === n && n >= (limit || 0);
  return [stalled ? n + 1 : window.dash_clientside.no_update, n];
}"""
GRID = {
    "display": "grid",
    "gridTemplateColumns": "repeat(auto-fit, minmax(460px, 1fr))",
    "gap": "12px",
}
CARD = {
    "border": "1px solid #ddd",
    "borderRadius": "6px",
    "padding": "8px 12px",
    "background": "#fff",
}
NOTE = {"color": "#a33", "margin": "4px 0"}


def _number(value: int) -> str:
    return f"{value:,}"


def _tile(label: str, element_id: str, colour: str) -> html.Div:
    return html.Div(
        [
            html.Div(label, style={"fontSize": "12px", "color": "#555"}),
            html.Div(
                "–", id=element_id, style={"fontSize": "22px", "fontWeight": 600, "color": colour}
            ),
        ],
        style={**CARD, "minWidth": "110px"},
    )


def _graph(element_id: str) -> dcc.Graph:
    return dcc.Graph(id=element_id, config={"displaylogo": False}, style=CARD)


def layout(refresh_ms: int, watchdog_ms: int | None = None) -> html.Div:
    count_tiles = [_tile(t, f"count-{t}", figures.TYPE_COLOURS[t]) for t in EVENT_TYPES]
    fleet_tiles = [_tile(s, f"fleet-{s}", figures.STATUS_COLOURS[s]) for s in BIKE_STATUSES]
    return html.Div(
        [
            html.H2("bike_pipeline live", style={"margin": "4px 0"}),
            html.Div(
                [
                    "Simulated time ",
                    html.B("–", id="sim-time"),
                    " · events counted up to id ",
                    html.B("–", id="last-event-id"),
                    " · unmet demand (rent_refused) ",
                    html.B("–", id="unmet-total"),
                ]
            ),
            html.Div(id="problems"),
            html.Div(count_tiles, style={"display": "flex", "gap": "8px", "flexWrap": "wrap"}),
            html.Div(
                fleet_tiles,
                style={"display": "flex", "gap": "8px", "flexWrap": "wrap", "marginTop": "8px"},
            ),
            html.Div(
                [
                    _graph("counts-chart"),
                    _graph("fleet-chart"),
                    _graph("map-chart"),
                    _graph("demand-chart"),
                ],
                style={**GRID, "marginTop": "12px"},
            ),
            html.Div(
                [
                    html.Div(
                        [html.H4("Latest report"), html.Div(id="report-headline")], style=CARD
                    ),
                    html.Div([html.H4("Last runs"), html.Div(id="last-runs")], style=CARD),
                    html.Div(
                        [
                            html.H4("Matchmaking"),
                            dcc.Input(
                                id="match-customer",
                                type="number",
                                min=1,
                                step=1,
                                placeholder="customer id",
                                debounce=True,
                            ),
                            html.Button("Find matches", id="match-button", n_clicks=0),
                            html.Div(id="match-message", style={"margin": "6px 0"}),
                            html.Div(id="match-results"),
                        ],
                        style=CARD,
                    ),
                ],
                style={**GRID, "marginTop": "12px"},
            ),
            dcc.Interval(id="tick", interval=refresh_ms, n_intervals=0, max_intervals=0),
            dcc.Interval(
                id="tick-watchdog",
                interval=watchdog_ms or max(WATCHDOG_MIN_MS, 10 * refresh_ms),
            ),
            dcc.Store(id="tick-watchdog-seen"),
        ],
        style={"fontFamily": "sans-serif", "padding": "8px 16px", "background": "#f6f6f6"},
    )


def _table(header: list[str], rows: list[list[Any]], element_id: str) -> html.Table:
    cell = {"padding": "2px 10px", "borderBottom": "1px solid #eee", "textAlign": "left"}
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h, style=cell) for h in header])),
            html.Tbody([html.Tr([html.Td(v, style=cell) for v in row]) for row in rows]),
        ],
        id=element_id,
        style={"borderCollapse": "collapse"},
    )


def report_link(report: str) -> str:
    """Where the dashboard serves a report's HTML (see `create_app`'s report route)."""
    return f"{REPORTS_PATH}/{report}/{REPORT_HTML}"


def headline_view(headline: Headline | HeadlineProblem | None) -> html.Div:
    """The latest report as a card: per scenario, whether the current fleet keeps the
    target and the money, the recommendation, the report's date and depth, and a link."""
    if headline is None:
        return html.Div("No report yet: run `bike-pipeline report` (or `bike-pipeline run`).")
    if isinstance(headline, HeadlineProblem):
        return html.Div(f"Report {headline.report}: {headline.reason}.", style=NOTE)
    depth = f"{headline.depth} depth" if headline.depth else "depth not recorded"
    replications = f", {headline.replications} replications" if headline.replications else ""
    about = (
        f"{headline.written_at:%Y-%m-%d %H:%M} UTC · scenario {headline.scenario}, "
        f"{headline.days:,.0f} simulated days · {depth}{replications}"
    )
    target = headline.target or "the target"
    if headline.verdicts:
        rows = [
            [v.scenario, v.adequate, v.worst_week, v.profit, v.cheapest] for v in headline.verdicts
        ]
        header = [
            "Scenario",
            f"Current fleet keeps {target}?",
            "Worst-week service level",
            "Profit over the horizon",
            "Cheapest policy keeping it (profit)",
        ]
        body: Any = _table(header, rows, "report-scenarios")
    else:
        body = html.P(
            f"This run: {headline.rush_service_level:.1%} of rush-hour trips served, "
            f"profit EUR {headline.profit_eur:+,.0f} (no Monte Carlo summary in this report).",
            id="report-run",
        )
    return html.Div(
        [
            html.Div(
                [
                    html.A(
                        headline.report,
                        href=report_link(headline.report),
                        target="_blank",
                        id="report-link",
                        style={"fontWeight": 600},
                    ),
                    html.Span(f" · {about}", style={"color": "#555"}),
                ]
            ),
            body,
            html.P(headline.recommendation, id="report-recommendation")
            if headline.recommendation
            else None,
            html.P(headline.answer, id="report-answer", style={"color": "#333"})
            if headline.answer and not headline.recommendation
            else None,
        ],
        id="report-card",
    )


def runs_view(snapshot: Snapshot) -> html.Div:
    """The last finished Dagster runs (`events.run_notices`), newest first."""
    if snapshot.runs_error:
        return html.Div(snapshot.runs_error, style=NOTE)
    if not snapshot.runs:
        return html.Div("No finished run yet (the Dagster run-status sensor posts them).")
    rows = [
        [
            n.job,
            n.status.lower(),
            "–" if n.duration_s is None else f"{n.duration_s:,.1f} s",
            html.A("open", href=n.url, target="_blank") if n.url.startswith("http") else "–",
        ]
        for n in snapshot.runs
    ]
    return html.Div(_table(["job", "status", "took", "run"], rows, "runs-table"))


def matches_view(lookup: MatchLookup) -> html.Table | None:
    if not lookup.matches:
        return None
    rows = [
        [m.customer_id, m.bike_id, f"{m.last_ride_at:%Y-%m-%d %H:%M:%S} UTC"]
        for m in lookup.matches
    ]
    return _table(["customer", "shared bike", "last ride"], rows, "match-table")


def _stamped(figure: figures.Figure, snapshot: Snapshot) -> figures.Figure:
    """Mark a chart with the last event id of its snapshot (`layout.meta.as_of_event`):
    Plotly draws after the numbers beside it change, so a reader can tell when a chart
    shows the same snapshot as the numbers."""
    figure["layout"]["meta"] = {
        "as_of_event": snapshot.live.last_event_id if snapshot.live else None
    }
    return figure


def _live_outputs(snapshot: Snapshot) -> list[Any]:
    live = snapshot.live
    counts = live.counts if live else dict.fromkeys(EVENT_TYPES, 0)
    sim_time = f"{live.sim_time:%Y-%m-%d %H:%M %Z}" if live and live.sim_time else "–"
    return [
        sim_time,
        _number(live.last_event_id) if live else "–",
        _number(live.unmet_demand) if live else "–",
        *[_number(counts[t]) if live else "–" for t in EVENT_TYPES],
        _stamped(figures.counts_figure(counts), snapshot),
        _stamped(figures.map_figure(snapshot.stations), snapshot),
        _stamped(figures.demand_figure(live.demand if live else {}), snapshot),
    ]


def _fleet_outputs(snapshot: Snapshot) -> list[Any]:
    fleet = snapshot.fleet
    tiles = [_number(fleet[s]) if fleet else "–" for s in BIKE_STATUSES]
    return [*tiles, _stamped(figures.fleet_figure(fleet or {}), snapshot)]


def _problems(snapshot: Snapshot) -> list[html.Div]:
    errors = [snapshot.database_error, snapshot.live_error]
    return [html.Div(text, style=NOTE) for text in errors if text]


def customer_id_of(value: Any) -> int | None:
    """The customer id typed in the matchmaking box, or None when it is not a whole number
    from 1. Anything but a number (or nothing) is a forged request: `BadRequest` (400)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest("the customer id must be a number")
    if not math.isfinite(value) or value != int(value) or not 1 <= value <= MAX_CUSTOMER_ID:
        return None
    return int(value)


def _check_callback_request(known_outputs: Callable[[], Any]) -> None:
    """Refuse a callback request that is not shaped as Dash sends it (400, not a 500 from
    deep inside Dash): a JSON object naming one of the app's outputs, with lists of inputs
    and state."""
    if flask.request.method != "POST" or not flask.request.path.endswith(CALLBACK_PATH):
        return
    try:
        body = json.loads(flask.request.get_data(cache=True) or b"null")
    except ValueError:
        raise BadRequest("the request body is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise BadRequest("a callback request names its output")
    if body["output"] not in known_outputs():
        raise BadRequest("no such callback output")
    for key in _CALLBACK_LISTS:
        if not isinstance(body.get(key, []), list):
            raise BadRequest(f"{key} must be a list")
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        if not isinstance(item, dict | list):
            raise BadRequest("each input and state is an object")
    flask.g.callback_body = body


def _refresh_outputs() -> list[tuple[str, str]]:
    """The refresh callback's outputs (element id, property), in the order rendered."""
    return [
        ("sim-time", "children"),
        ("last-event-id", "children"),
        ("unmet-total", "children"),
        *[(f"count-{t}", "children") for t in EVENT_TYPES],
        ("counts-chart", "figure"),
        ("map-chart", "figure"),
        ("demand-chart", "figure"),
        *[(f"fleet-{s}", "children") for s in BIKE_STATUSES],
        ("fleet-chart", "figure"),
        ("problems", "children"),
        ("report-headline", "children"),
        ("last-runs", "children"),
    ]


def render(snapshot: Snapshot) -> list[Any]:
    """The refresh callback's outputs of a snapshot, in `_refresh_outputs` order."""
    return [
        *_live_outputs(snapshot),
        *_fleet_outputs(snapshot),
        _problems(snapshot),
        headline_view(snapshot.headline),
        runs_view(snapshot),
    ]


def _rendered(snapshot: Snapshot) -> Outputs:
    outputs: Outputs = {}
    for (element, prop), value in zip(_refresh_outputs(), render(snapshot), strict=True):
        outputs.setdefault(element, {})[prop] = value
    return outputs


def _tick_count(body: dict[str, Any]) -> int:
    """The tab's refresh count (`tick.n_intervals`) in a refresh request; 400 otherwise."""
    for item in body.get("inputs", []):
        if isinstance(item, dict) and (item.get("id"), item.get("property")) == TICK:
            count = item.get("value")
            if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
                break
            return count or 0
    raise BadRequest("n_intervals must be a whole number")


def _answer_refresh(publisher: RefreshPublisher, refresh_output: str) -> flask.Response | None:
    """Answer the refresh callback with the shared, pre-serialised bytes (Dash itself is
    not called); any other request goes on to Dash."""
    body = flask.g.get("callback_body")
    if body is None or body["output"] != refresh_output:
        return None
    armed = _tick_count(body) + 1
    try:
        answer = publisher.answer()
    except NoAnswerYet as error:
        return flask.Response(str(error), status=503, content_type="text/plain")
    accepts_gzip = "gzip" in flask.request.headers.get("Accept-Encoding", "")
    response = flask.Response(
        answer.gzipped(armed) if accepts_gzip else answer.body(armed),
        content_type="application/json",
    )
    if accepts_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "no-store"
    return response


class SnapshotSource(Protocol):
    """What the page reads on every refresh (`snapshot.DashboardData`)."""

    def snapshot(self) -> Snapshot: ...


def create_app(
    data: SnapshotSource,
    lookup: Callable[[int], MatchLookup],
    refresh_ms: int = REFRESH_MS,
    watchdog_ms: int | None = None,
    reports_dir: Path | None = None,
) -> dash.Dash:
    """The Dash app; `lookup` answers the matchmaking box (see `matchmaking.lookup_matches`).
    `watchdog_ms`: how long a refresh may go unanswered before the timer is re-armed
    (default: ten intervals, at least `WATCHDOG_MIN_MS`). `reports_dir`: the reports the
    headline card links to, served under `REPORTS_PATH`."""
    app = dash.Dash(__name__, title="bike_pipeline dashboard", update_title=None)
    app.layout = layout(refresh_ms, watchdog_ms)
    app.server.before_request(partial(_check_callback_request, lambda: app.callback_map))
    # Dash's own check of a request against the callback's outputs: a forged request.
    app.server.register_error_handler(
        dash.exceptions.CallbackException, lambda _: ("not a request of this page", 400)
    )
    if reports_dir is not None:
        folder = reports_dir

        @app.server.route(f"{REPORTS_PATH}/<report>/<path:name>")
        def report_file(report: str, name: str) -> flask.Response:
            """A report's HTML and the pictures it shows (never outside its folder)."""
            return flask.send_from_directory(folder / report, name)

    outputs = [dash.Output(element, prop) for element, prop in _refresh_outputs()]
    outputs.append(dash.Output(*TICK_ARMED))
    publisher = RefreshPublisher(
        data, _rendered, TICK_ARMED, min(refresh_ms / 1000, SNAPSHOT_EVERY_S)
    )
    app.server.before_request(
        partial(
            _answer_refresh,
            publisher,
            ".." + "...".join(f"{e}.{p}" for e, p in [*_refresh_outputs(), TICK_ARMED]) + "..",
        )
    )

    # Each answer arms the timer for exactly one more refresh (`max_intervals`), so the
    # next request leaves only after this one's answer is on the page: a refresh slower
    # than the interval is never superseded by the next (Dash drops a pending answer
    # whose input changed), however loaded the server or the browser. `_answer_refresh`
    # answers this callback with the publisher's bytes; Dash would answer the same.
    @app.callback(outputs, dash.Input(*TICK))
    def refresh(count: int | None) -> list[Any]:
        armed = _tick_count({"inputs": [{"id": TICK[0], "property": TICK[1], "value": count}]})
        current = publisher.outputs()
        values = [current[element][prop] for element, prop in _refresh_outputs()]
        return [*values, armed + 1]

    app.clientside_callback(
        _WATCHDOG_JS,
        dash.Output("tick", "max_intervals", allow_duplicate=True),
        dash.Output("tick-watchdog-seen", "data"),
        dash.Input("tick-watchdog", "n_intervals"),
        dash.State("tick", "n_intervals"),
        dash.State("tick", "max_intervals"),
        dash.State("tick-watchdog-seen", "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        [dash.Output("match-message", "children"), dash.Output("match-results", "children")],
        dash.Input("match-button", "n_clicks"),
        dash.Input("match-customer", "n_submit"),
        dash.State("match-customer", "value"),
        prevent_initial_call=True,
    )
    def find(_: int, __: int | None, value: Any) -> list[Any]:
        customer_id = customer_id_of(value)
        if customer_id is None:
            return ["Enter a customer id (a whole number from 1).", None]
        result = lookup(customer_id)
        return [result.message, matches_view(result)]

    return app
