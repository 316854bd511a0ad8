"""`bike-pipeline bench dashboard --clients N`: N browser tabs refreshing the real page.

The dashboard app (waitress, as `bike-pipeline dashboard` serves it) runs in a child
process over a throwaway database holding the bench events, while a tick of new events
is committed and relayed every refresh interval. Each of N client threads behaves like
the page: it posts the refresh callback, waits for the answer, then waits one refresh
interval before the next (the page arms its timer for one more refresh per answer). The
latency of every answer is recorded: p50, p99 and max are what a tab waits for fresh
figures, and HTTP errors are counted.
"""

from __future__ import annotations

import json
import multiprocessing
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.app import CALLBACK_PATH, create_app
from bike_pipeline.dashboard.matchmaking import MatchLookup
from bike_pipeline.dashboard.server import THREADS
from bike_pipeline.dashboard.snapshot import DashboardData
from bike_pipeline.db.engine import engine_for
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.events.relay import relay_pending

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class TabsResult:
    clients: int
    latencies: list[float]
    errors: int
    seconds: float

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def describe(self) -> str:
        if not self.latencies:
            return f"{self.clients} tabs: no answer in {self.seconds:.0f} s ({self.errors} errors)"
        return (
            f"{self.clients} tabs, {len(self.latencies):,} refreshes in {self.seconds:.0f} s: "
            f"p50 {statistics.median(self.latencies) * 1000:.0f} ms, "
            f"p99 {self.percentile(0.99) * 1000:.0f} ms, "
            f"max {max(self.latencies) * 1000:.0f} ms, {self.errors} errors"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _no_lookup(customer_id: int) -> MatchLookup:
    return MatchLookup(customer_id, (), "matchmaking is not part of this benchmark")


def _serve(database_url: str, redis_url: str, keys: EventKeys, port: int, reports: str) -> None:
    import waitress

    data = DashboardData(
        engine_for(database_url), redis.Redis.from_url(redis_url), Path(reports), keys=keys
    )
    app = create_app(data, _no_lookup)
    waitress.serve(app.server, host="127.0.0.1", port=port, threads=THREADS, _quiet=True)


def _refresh_request(database_url: str, redis_url: str) -> dict[str, Any]:
    """The refresh callback's request, as the page sends it."""
    app = create_app(
        DashboardData(engine_for(database_url), redis.Redis.from_url(redis_url), Path(".")),
        _no_lookup,
    )
    [output] = [key for key in app.callback_map if "sim-time.children" in key]
    outputs = []
    for part in output.strip(".").split("..."):
        element, prop = part.rsplit(".", 1)
        outputs.append({"id": element, "property": prop})
    return {
        "output": output,
        "outputs": outputs,
        "inputs": [{"id": "tick", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["tick.n_intervals"],
        "state": [],
    }


def _post(url: str, body: bytes) -> bool:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_up(url: str, server: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise RuntimeError("the dashboard process ended before serving")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"the dashboard did not answer within {START_TIMEOUT_S:.0f} s")


def run_tabs(
    database_url: str,
    redis_url: str,
    keys: EventKeys,
    clients: int,
    seconds: float,
    refresh_s: float,
    per_tick: int,
    reports: Path,
) -> TabsResult:
    """Serve the page in a child process and refresh it from `clients` tabs for `seconds`."""
    port = _free_port()
    context = multiprocessing.get_context("spawn")
    server = context.Process(
        target=_serve, args=(database_url, redis_url, keys, port, str(reports)), daemon=True
    )
    server.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/", server)
        body = json.dumps(_refresh_request(database_url, redis_url)).encode()
        url = f"{base}/{CALLBACK_PATH}"
        _post(url, body)  # the first snapshot (a baseline) is not the steady state
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = threading.Event()

        def tab() -> None:
            while not stop.is_set():
                start = time.perf_counter()
                ok = _post(url, body)
                elapsed = time.perf_counter() - start
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1
                stop.wait(refresh_s)

        def writer() -> None:
            engine = engine_for(database_url)
            client = redis.Redis.from_url(redis_url)
            while not stop.wait(refresh_s):
                insert_synthetic_events(engine, per_tick, queries.last_event_id(engine) + 1)
                relay_pending(engine, client, keys=keys)
            client.close()

        threads = [threading.Thread(target=tab) for _ in range(clients)]
        threads.append(threading.Thread(target=writer))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        return TabsResult(clients, latencies, errors[0], time.monotonic() - started)
    finally:
        server.terminate()
        server.join(10)
