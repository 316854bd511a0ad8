"""Whatever a client sends, the dashboard answers 400 or a message, never a 500; and tabs
never queue behind a snapshot being taken."""

from __future__ import annotations

import json
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import dash
import pytest
import redis
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.dashboard.app import create_app
from bike_pipeline.dashboard.matchmaking import lookup_matches
from bike_pipeline.dashboard.snapshot import DashboardData, Snapshot
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline_tests.dashboard.world import max_event_id, type_counts

CALLBACK = "/_dash-update-component"
MATCH_OUTPUTS = [
    {"id": "match-message", "property": "children"},
    {"id": "match-results", "property": "children"},
]


def _match_request(value: Any) -> dict[str, Any]:
    return {
        "output": "..match-message.children...match-results.children..",
        "outputs": MATCH_OUTPUTS,
        "inputs": [
            {"id": "match-button", "property": "n_clicks", "value": 1},
            {"id": "match-customer", "property": "n_submit", "value": None},
        ],
        "changedPropIds": ["match-button.n_clicks"],
        "state": [{"id": "match-customer", "property": "value", "value": value}],
    }


@pytest.fixture
def app(
    dumped: sa.Engine, redis_client: redis.Redis, servers: services.ServiceUrls, tmp_path: Path
) -> dash.Dash:
    data = DashboardData(dumped, redis_client, tmp_path)
    return create_app(data, partial(lookup_matches, servers.graph_url))


@pytest.fixture
def client(app: dash.Dash) -> Any:
    return app.server.test_client()


@pytest.mark.parametrize("value", ["12", "abc", ["x"], {"a": 1}, True])
def test_a_customer_id_that_is_not_a_number_is_a_400(client: Any, value: Any) -> None:
    response = client.post(CALLBACK, json=_match_request(value))

    assert response.status_code == 400
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("value", [0, -3, 2.5, 1e300, None])
def test_a_number_that_is_no_customer_id_is_a_message(client: Any, value: Any) -> None:
    response = client.post(CALLBACK, json=_match_request(value))

    assert response.status_code == 200, response.data
    assert "whole number from 1" in response.get_data(as_text=True)


def test_an_unknown_customer_is_a_message(client: Any) -> None:
    response = client.post(CALLBACK, json=_match_request(424242))

    assert response.status_code == 200
    assert "not in the graph" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [b"garbage{", b"[]", b"null", json.dumps({"output": 5}).encode(),
     json.dumps({"output": "x", "inputs": "y"}).encode(),
     json.dumps({"output": "x", "inputs": [3]}).encode()],
)  # fmt: skip
def test_malformed_callback_requests_are_a_400(client: Any, body: bytes) -> None:
    response = client.post(CALLBACK, data=body, content_type="application/json")

    assert response.status_code == 400


def test_a_refresh_with_a_forged_counter_is_a_400(app: dash.Dash, client: Any) -> None:
    [output] = [key for key in app.callback_map if "sim-time.children" in key]
    request = {
        "output": output,
        "outputs": [],
        "inputs": [{"id": "tick", "property": "n_intervals", "value": "x"}],
        "changedPropIds": ["tick.n_intervals"],
        "state": [],
    }

    assert client.post(CALLBACK, json=request).status_code == 400
    request["output"] = "tick.max_intervals"  # no callback of the app
    assert client.post(CALLBACK, json=request).status_code == 400


def test_tabs_get_the_current_snapshot_while_another_takes_a_new_one(
    dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    data = DashboardData(dumped, redis_client, tmp_path, max_age_s=0)
    first = data.snapshot()
    real_take = data._take
    taking = threading.Event()

    def slow_take() -> Snapshot:
        taking.set()
        time.sleep(1.0)
        return real_take()

    data._take = slow_take  # type: ignore[method-assign]
    refresher = threading.Thread(target=data.snapshot)
    refresher.start()
    taking.wait(5)
    started = time.monotonic()
    others = [data.snapshot() for _ in range(20)]
    waited = time.monotonic() - started
    refresher.join()

    assert all(snapshot is first for snapshot in others)
    assert waited < 0.5
    assert data.snapshot() is not first


def test_a_garbage_stream_entry_is_skipped_by_the_live_figures(
    dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    data = DashboardData(dumped, redis_client, tmp_path, max_age_s=0)
    run_simulation(dumped, SimulationRequest(ticks=10, seed=8, scenario="full"), redis_client)
    data.snapshot()  # the baseline of this run
    top = max_event_id(dumped)
    redis_client.xadd(EVENT_KEYS.stream, {"event": "garbage{"}, id=f"{top + 1}-0")

    snapshot = data.snapshot()

    assert snapshot.live_error is None and snapshot.database_error is None
    assert snapshot.live is not None and snapshot.live.last_event_id == top
    assert {t: n for t, n in snapshot.live.counts.items() if n} == type_counts(dumped)
    assert data.live.rejected == {top + 1}
