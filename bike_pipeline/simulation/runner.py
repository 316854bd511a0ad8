"""Running simulation ticks against the database: the one code path of the CLI and Dagster.

Loads (or resumes) the world, steps the engine and commits ticks (each tick when paced, in
batches of whole ticks when running as fast as possible) while the events relay publishes
the outbox in a background thread. Redis being down never stops the simulation: the
events wait in the outbox for the relay.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
import sqlalchemy as sa

from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.relay import StreamAheadOfDatabase, relay_forever, relay_pending
from bike_pipeline.events.stream import reset_stream
from bike_pipeline.simulation import engine as sim_engine
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.committer import BackgroundCommitter
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO, Scenario
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline.simulation.tick_events import EVENT_TYPES, TickEvents
from bike_pipeline.simulation.world import WorldState

log = logging.getLogger(__name__)

# Unpaced runs commit up to a simulated week per transaction: a day per commit spent about
# a tenth of a `seed` run on per-transaction work (BENCHMARKS.md, Simulation).
BATCH_MAX_TICKS = 7 * TICKS_PER_DAY
BATCH_MAX_EVENTS = 50_000
BATCH_MAX_SECONDS = 0.5


@dataclass(frozen=True)
class SimulationRequest:
    """What to run. `ticks` is the run's length from its first tick: the same request after
    a kill finishes the same run, and one for a run already that long runs nothing;
    `more_ticks` instead continues that many ticks after the last committed one.
    `until_tick` (exclusive) caps a live window; `anchor` = (epoch seconds, tick) pins
    when that tick is due, so paced runs keep the wall clock across runs; `lock_wait_s`
    lets a run wait that long for the previous writer to finish. `scenario` is a name, a
    YAML file or a scenario already held by content."""

    ticks: int = 0
    seed: int = DEFAULT_SEED
    scenario: str | StoredScenario = DEFAULT_SCENARIO
    more_ticks: int | None = None
    pace_s: float = 0.0
    reset: bool = False
    until_tick: int | None = None
    anchor: tuple[float, int] | None = None
    lock_wait_s: float = 0.0


@dataclass
class SimulationResult:
    first_tick: int
    next_tick: int
    events: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EVENT_TYPES, 0))
    relayed: int = 0
    relay_ok: bool = True

    @property
    def ticks(self) -> int:
        return self.next_tick - self.first_tick


def ticks_for(days: float | None, ticks: int | None) -> int:
    """`--ticks` wins over `--days`; one day is 72 ticks."""
    if ticks is not None:
        return ticks
    return round((days or 0) * TICKS_PER_DAY)


class _BackgroundRelay:
    """The events relay in a thread beside the simulation (`relay_forever`), so publishing
    overlaps the database work and a Redis outage never delays a tick; `finish` flushes
    what is left once the last tick is committed."""

    def __init__(self, db: sa.Engine, client: redis.Redis | None, keys: EventKeys) -> None:
        self.db = db
        self.client = client
        self.keys = keys
        self.relayed = 0
        self.ok = client is not None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="event-relay", daemon=True)
        if client is not None:
            self.thread.start()

    def _run(self) -> None:
        assert self.client is not None
        try:
            self.relayed += relay_forever(self.db, self.client, self.stop, keys=self.keys)
        except Exception as error:  # the simulation must go on whatever the relay meets
            log.warning("event relay stopped, events stay in the outbox: %s", error)

    def finish(self) -> None:
        if self.client is None:
            return
        self.stop.set()
        self.thread.join()
        try:
            self.relayed += relay_pending(self.db, self.client, keys=self.keys)
        except (redis.RedisError, StreamAheadOfDatabase) as error:
            log.warning("events stay in the outbox, relay failed: %s", error)
            self.ok = False


def _reset(db: sa.Engine, client: redis.Redis | None, keys: EventKeys) -> None:
    reset_simulation(db)
    if client is not None:
        try:
            reset_stream(client, keys)
        except redis.RedisError as error:
            log.warning("could not drop the old events stream: %s", error)


def run_simulation(
    db: sa.Engine,
    request: SimulationRequest,
    redis_client: redis.Redis | None = None,
    on_tick: Callable[[TickEvents], None] | None = None,
    event_keys: EventKeys = EVENT_KEYS,
) -> SimulationResult:
    """Run the ticks `request` asks for (see `SimulationRequest`) from the last committed
    one; see the module docstring. `event_keys` names the Redis stream and channels (a
    benchmark uses its own)."""
    scenario = (
        request.scenario
        if isinstance(request.scenario, StoredScenario)
        else StoredScenario.load(request.scenario)
    )
    if request.reset:
        _reset(db, redis_client, event_keys)
    relay = _BackgroundRelay(db, redis_client, event_keys)
    try:
        result = _run_ticks(db, request, scenario, on_tick)
    finally:
        relay.finish()
    result.relayed = relay.relayed
    result.relay_ok = relay.ok
    return result


def _tick_count(request: SimulationRequest, first: int) -> int:
    """How many ticks to run from `first`, the first uncommitted tick of a run starting at 0."""
    end = first + request.more_ticks if request.more_ticks is not None else request.ticks
    if request.until_tick is not None:
        end = min(end, request.until_tick)
    return max(0, end - first)


def _run_ticks(
    db: sa.Engine,
    request: SimulationRequest,
    stored: StoredScenario,
    on_tick: Callable[[TickEvents], None] | None,
) -> SimulationResult:
    with SimulationWriter(db, stored, request.seed, request.lock_wait_s) as writer:
        state = writer.open_world()
        scenario = writer.scenario
        first = state.next_tick
        count = _tick_count(request, first)
        result = SimulationResult(first_tick=first, next_tick=first)
        paced = request.pace_s > 0
        committer = None if paced else BackgroundCommitter(writer)

        def commit(batch: list[TickEvents]) -> None:
            if committer is None:
                writer.commit(batch, state)
            else:
                committer.submit(batch, state)
            _count(result, batch)

        try:
            _step_ticks(request, scenario, state, first, count, commit, on_tick)
        except BaseException:
            if committer is not None:
                committer.close(raise_error=False)
            raise
        if committer is not None:
            committer.close()
    return result


def _step_ticks(
    request: SimulationRequest,
    scenario: Scenario,
    state: WorldState,
    first: int,
    count: int,
    commit: Callable[[list[TickEvents]], None],
    on_tick: Callable[[TickEvents], None] | None,
) -> None:
    """Step the engine through the ticks, handing whole batches to `commit`: each tick
    when paced (live), else batches bounded in ticks, events and time."""
    paced = request.pace_s > 0
    anchor_time, anchor_tick = request.anchor or (time.time(), first)
    batch: list[TickEvents] = []
    batch_events = 0
    last_commit = time.monotonic()
    for tick in range(first, first + count):
        if paced:
            delay = anchor_time + (tick - anchor_tick) * request.pace_s - time.time()
            if delay > 0:
                time.sleep(delay)
        events = sim_engine.step(state, scenario, request.seed, tick)
        batch.append(events)
        batch_events += len(events)
        if (
            paced
            or len(batch) >= BATCH_MAX_TICKS
            or batch_events >= BATCH_MAX_EVENTS
            or time.monotonic() - last_commit >= BATCH_MAX_SECONDS
        ):
            commit(batch)
            batch, batch_events = [], 0
            last_commit = time.monotonic()
        if on_tick is not None:
            on_tick(events)
    if batch:
        commit(batch)


def _count(result: SimulationResult, batch: list[TickEvents]) -> None:
    for events in batch:
        result.events += len(events)
        for name, n in events.counts().items():
            result.counts[name] += n
        result.next_tick = events.tick + 1
