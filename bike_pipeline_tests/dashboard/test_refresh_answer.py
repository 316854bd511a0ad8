"""The shared refresh answer: one build per changed snapshot, the same bytes for every
tab but the re-arming number, and a gzip form that decodes to exactly the plain one."""

from __future__ import annotations

import gzip
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bike_pipeline.dashboard.app import create_app
from bike_pipeline.dashboard.matchmaking import MatchLookup
from bike_pipeline.dashboard.refresh_answer import RefreshPublisher, SerialisedAnswer
from bike_pipeline.dashboard.snapshot import Snapshot

ARMED = ("tick", "max_intervals")


def _snapshot(last_event_id: int) -> Snapshot:
    return Snapshot(None, f"at {last_event_id}", None, (), None, None)


class _Counted:
    """A snapshot source whose snapshot changes only when told."""

    def __init__(self) -> None:
        self.value = 1
        self.taken = 0
        self.lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        with self.lock:
            self.taken += 1
            return _snapshot(self.value)


def _render(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return {"problems": {"children": snapshot.live_error}, "chart": {"figure": {"data": [1.5]}}}


def test_the_answer_is_dash_s_shape_with_each_tab_s_number_plain_and_gzipped() -> None:
    answer = SerialisedAnswer.of(_render(_snapshot(3)), ARMED)
    for armed in (1, 42, 10**9):
        plain = answer.body(armed)
        assert json.loads(plain) == {
            "multi": True,
            "response": {
                "problems": {"children": "at 3"},
                "chart": {"figure": {"data": [1.5]}},
                "tick": {"max_intervals": armed},
            },
        }
        assert gzip.decompress(answer.gzipped(armed)) == plain


def test_many_tabs_share_one_build_and_an_unchanged_snapshot_is_not_rebuilt() -> None:
    source = _Counted()
    publisher = RefreshPublisher(source, _render, ARMED, interval_s=0.05)
    with ThreadPoolExecutor(16) as tabs:
        first = list(tabs.map(lambda _: publisher.answer(), range(64)))
    assert all(answer is first[0] for answer in first)
    taken = source.taken
    while source.taken < taken + 3:  # several more snapshots, all unchanged
        threading.Event().wait(0.05)
    assert publisher.answer() is first[0] and publisher.builds == 1
    source.value = 2
    while publisher.builds < 2:
        threading.Event().wait(0.05)
    assert json.loads(publisher.answer().body(1))["response"]["problems"]["children"] == "at 2"


def test_a_failing_snapshot_keeps_the_thread_going() -> None:
    source = _Counted()
    failures = [2]

    def render(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
        if failures[0]:
            failures[0] -= 1
            raise RuntimeError("fails on purpose")
        return _render(snapshot)

    publisher = RefreshPublisher(source, render, ARMED, interval_s=0.01)
    assert json.loads(publisher.answer().body(5))["response"]["tick"] == {"max_intervals": 5}
    assert source.taken >= 3


class _Fixed:
    def snapshot(self) -> Snapshot:
        return _snapshot(9)


def test_the_app_answers_a_refresh_with_the_shared_bytes_not_through_dash() -> None:
    """The page's refresh request gets the publisher's bytes (gzip when asked), with its
    own re-arming number; a forged count is still refused."""
    app = create_app(_Fixed(), lambda c: MatchLookup(c, (), ""))
    [output] = [key for key in app.callback_map if "sim-time.children" in key]
    body = {
        "output": output,
        "outputs": [],
        "inputs": [{"id": "tick", "property": "n_intervals", "value": 41}],
        "changedPropIds": ["tick.n_intervals"],
        "state": [],
    }
    client = app.server.test_client()
    url = "/_dash-update-component"
    zipped = client.post(url, json=body, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    answer = json.loads(gzip.decompress(zipped.data))
    assert answer["response"]["tick"] == {"max_intervals": 42}
    assert answer["response"]["problems"]["children"][0]["props"]["children"] == "at 9"
    plain = client.post(url, json=body)
    assert "Content-Encoding" not in plain.headers and json.loads(plain.data) == answer
    body["inputs"][0]["value"] = "41"
    assert client.post(url, json=body).status_code == 400
