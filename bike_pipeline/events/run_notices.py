"""Notices of finished Dagster runs on Redis: channel `bike_pipeline.runs`.

The run-status sensors (`defs/notices`) publish one JSON object per finished run: job,
status, duration, a link to the run in the UI, and for a report the headline verdict. The
last `RECENT_KEEP` notices are also kept in the list `bike_pipeline.runs.recent` for the
dashboard. `RunNoticeFollower` is the subscriber half: `bike-pipeline listen` runs one
beside the events listener and prints each notice as a line. No personal data: job names,
statuses, durations and the report's verdict only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

import redis

from bike_pipeline.events.connection import fail_fast_client

RUNS_CHANNEL = "bike_pipeline.runs"
RECENT_KEY = "bike_pipeline.runs.recent"
RECENT_KEEP = 20
POLL_S = 0.5
RECONNECT_S = 1.0


@dataclass(frozen=True)
class RunNotice:
    run_id: str
    job: str
    status: str  # SUCCESS, FAILURE or CANCELED
    duration_s: float | None
    url: str
    verdict: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> RunNotice:
        data = json.loads(text)
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})

    def line(self) -> str:
        took = f" in {self.duration_s:.1f} s" if self.duration_s is not None else ""
        verdict = f": {self.verdict}" if self.verdict else ""
        return f"run {self.job} {self.status.lower()}{took}{verdict} ({self.url})"


def publish_run_notice(client: redis.Redis, notice: RunNotice) -> int:
    """Publish on the channel and keep it among the recent ones; return the subscribers
    that received it."""
    text = notice.to_json()
    pipe = client.pipeline()
    pipe.publish(RUNS_CHANNEL, text)
    pipe.lpush(RECENT_KEY, text)
    pipe.ltrim(RECENT_KEY, 0, RECENT_KEEP - 1)
    received, _, _ = pipe.execute()
    return int(received)


def recent_run_notices(client: redis.Redis, count: int = 10) -> list[RunNotice]:
    """The newest notices first (the dashboard's "last runs")."""
    return [RunNotice.from_json(text) for text in client.lrange(RECENT_KEY, 0, count - 1)]


class RunNoticeFollower:
    """Prints each run notice published while it runs (at-most-once, like any pub/sub:
    a run that ends while nobody listens is still in `recent_run_notices`).

    `redis_url` may be a function asked at every (re)connect (None: Redis not running), as
    the events listener's; a lost connection is retried every `RECONNECT_S` until `stop`.
    """

    def __init__(
        self, redis_url: str | Callable[[], str | None], emit: Callable[[str], None] = print
    ) -> None:
        self.redis_url = redis_url
        self.emit = emit
        self.subscribed = threading.Event()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            url = self.redis_url if isinstance(self.redis_url, str) else self.redis_url()
            try:
                if url is not None:
                    self._follow(url, stop)
            except (redis.ConnectionError, redis.TimeoutError):
                self.subscribed.clear()
            stop.wait(RECONNECT_S)

    def _follow(self, url: str, stop: threading.Event) -> None:
        client = fail_fast_client(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(RUNS_CHANNEL)
            while not stop.is_set():
                message = pubsub.get_message(timeout=POLL_S)
                if message is None:
                    if pubsub.subscribed:
                        self.subscribed.set()
                    continue
                if message["type"] == "message":
                    self.emit(RunNotice.from_json(message["data"]).line())
        finally:
            pubsub.close()
            client.close()

    def start(self, stop: threading.Event) -> threading.Thread:
        """Follow in a daemon thread (beside the events listener) until `stop` is set."""
        thread = threading.Thread(target=self.run, args=(stop,), daemon=True, name="run-notices")
        thread.start()
        return thread
