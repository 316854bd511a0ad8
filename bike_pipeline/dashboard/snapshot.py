"""Everything one dashboard refresh shows, gathered at most once per `max_age_s`.

Every open browser tab polls on its own; a short shared cache keeps the load on
PostgreSQL and Redis independent of how many tabs are open, so the dashboard stays cheap
while a simulation writes. Tabs never queue behind a refresh: while one request takes a
new snapshot, every other gets the current one at once (only the very first snapshot is
waited for). A server that cannot be reached becomes a message in the snapshot, never an
exception in the page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa

from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.live_events import LiveEvents, LiveView
from bike_pipeline.dashboard.report_headline import Headline, HeadlineProblem, latest_headline
from bike_pipeline.dashboard.stations import BikeLocations, StationActivity, station_activity
from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.run_notices import RunNotice, recent_run_notices

MAX_AGE_S = 1.0
RUNS_SHOWN = 8
RUNS_FORBIDDEN = (
    "The dashboard's Redis user may not read the run notices (bike_pipeline.runs.recent)."
)
UNDEFINED_TABLE = "42P01"
NO_TABLES = "No bike_pipeline tables yet: ingest a dump first (bike-pipeline ingest)."


@dataclass(frozen=True)
class Snapshot:
    live: LiveView | None
    live_error: str | None
    fleet: dict[str, int] | None
    stations: tuple[StationActivity, ...]
    headline: Headline | HeadlineProblem | None
    database_error: str | None
    runs: tuple[RunNotice, ...] = ()  # the last finished Dagster runs, newest first
    runs_error: str | None = None


def _describe(error: Exception) -> str:
    """The kind of failure only: driver messages may quote connection strings."""
    return type(error).__name__


class DashboardData:
    """The data side of the dashboard: one per process, shared by every request."""

    def __init__(
        self,
        engine: sa.Engine,
        redis_client: redis.Redis,
        reports_dir: Path,
        max_age_s: float = MAX_AGE_S,
        keys: EventKeys = EVENT_KEYS,
    ) -> None:
        self.engine = engine
        self.reports_dir = reports_dir
        self.max_age_s = max_age_s
        self.live = LiveEvents(engine, redis_client, keys)
        self.locations = BikeLocations(engine)
        self._changed = threading.Condition()
        self._snapshot: Snapshot | None = None
        self._taken_at = 0.0
        self._taking = False

    def snapshot(self) -> Snapshot:
        """The shared snapshot; a request that finds it stale takes a new one, unless
        another already does (then it gets the current one without waiting)."""
        with self._changed:
            while True:
                current = self._snapshot
                stale = current is None or time.monotonic() - self._taken_at >= self.max_age_s
                if current is not None and (not stale or self._taking):
                    return current
                if not self._taking:
                    self._taking = True
                    break
                self._changed.wait()  # only before the first snapshot exists
        taken = None
        try:
            taken = self._take()
        finally:
            with self._changed:
                if taken is not None:
                    self._snapshot, self._taken_at = taken, time.monotonic()
                self._taking = False
                self._changed.notify_all()
        return taken

    def _runs(self) -> tuple[tuple[RunNotice, ...], str | None]:
        """The last run notices; an unreachable Redis is already said by the live part."""
        try:
            return tuple(recent_run_notices(self.live.client, RUNS_SHOWN)), None
        except redis.exceptions.NoPermissionError:
            return (), RUNS_FORBIDDEN
        except (redis.RedisError, ValueError, TypeError) as error:
            return (), f"Run notices unreadable ({_describe(error)})"

    def _take(self) -> Snapshot:
        live, live_error, fleet, stations, database_error = None, None, None, (), None
        try:
            fleet = queries.fleet_status(self.engine)
            live = self.live.refresh()
            stations = tuple(station_activity(live.recent, self.locations))
        except redis.RedisError as error:
            live_error = f"Redis unreachable ({_describe(error)})"
        except sa.exc.OperationalError as error:
            database_error = f"PostgreSQL unreachable ({_describe(error)})"
        except sa.exc.SQLAlchemyError as error:
            missing = getattr(error.orig, "pgcode", None) == UNDEFINED_TABLE
            database_error = NO_TABLES if missing else f"PostgreSQL error ({_describe(error)})"
        runs, runs_error = self._runs()
        return Snapshot(
            runs=runs,
            runs_error=runs_error,
            live=live,
            live_error=live_error,
            fleet=fleet,
            stations=stations,
            headline=latest_headline(self.reports_dir),
            database_error=database_error,
        )
