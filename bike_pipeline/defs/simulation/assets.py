"""The simulated world and its events: one op (`simulate_ticks`, the same code path as
`bike-pipeline simulate`) materialises both.

- `simulated_world` (group simulation): core.customers/bikes as the simulation keeps them,
  core.rentals and the simulation's progress; downstream of the ingested dump.
- `simulation_events` (group events): core.events and the outbox the run appended to.

A run advances the simulation from its last committed tick (or starts again from the dump
with `reset`), so each materialisation is a new version of a stateful world; what reads the
world (bi_events, the graph, analytics, the report) follows it by automation conditions.
A run that simulates no tick records no materialisation (nothing changed). A run started
by the live sensor ends within two ticks once the sensor is switched off (`live_stop`).
"""

from collections import Counter
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.live_stop import (
    LiveModeStopped,
    live_sensor_running,
    started_by_live_sensor,
)
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from redis import Redis

    from bike_pipeline.simulation.runner import SimulationRequest, SimulationResult
    from bike_pipeline.simulation.tick_events import TickEvents


LOG_EVERY_TICKS = 72 * 7
SIMULATED_WORLD = dg.AssetKey("simulated_world")
SIMULATION_EVENTS = dg.AssetKey("simulation_events")


class SimulationTicksConfig(dg.Config):
    days: float = Field(
        default=1.0,
        description="the run's length in days from its first tick (72 ticks a day): the "
        "same config after a crash finishes the same run",
    )
    ticks: int | None = Field(default=None, description="the run's length in ticks; overrides days")
    more_days: float | None = Field(
        default=None, description="continue this many days after the last committed tick instead"
    )
    more_ticks: int | None = Field(default=None, description="as more_days, in ticks")
    pace_seconds: float = Field(default=0.0, description="real seconds per tick; 0: flat out")
    seed: int = DEFAULT_SEED
    scenario: str = Field(default=DEFAULT_SCENARIO, description="scenario name or YAML file")
    reset: bool = Field(default=False, description="start again from the ingested dump")
    until_tick: int | None = Field(default=None, description="live: stop before this tick")
    anchor_epoch: float | None = Field(default=None, description="live: when anchor_tick is due")
    anchor_tick: int | None = None
    lock_wait_seconds: float = Field(
        default=0.0, description="wait this long for a running simulation to finish"
    )

    def request(self) -> "SimulationRequest":
        from bike_pipeline.simulation.runner import SimulationRequest, ticks_for

        anchor = None
        if self.anchor_epoch is not None and self.anchor_tick is not None:
            anchor = (self.anchor_epoch, self.anchor_tick)
        more = self.more_ticks
        if more is None and self.more_days is not None:
            more = ticks_for(self.more_days, None)
        return SimulationRequest(
            ticks=ticks_for(self.days, self.ticks),
            more_ticks=more,
            seed=self.seed,
            scenario=self.scenario,
            pace_s=self.pace_seconds,
            reset=self.reset,
            until_tick=self.until_tick,
            anchor=anchor,
            lock_wait_s=self.lock_wait_seconds,
        )


class _TicksSeen:
    """The ticks a run committed, counted as they pass: the run's result when live mode
    stops it between ticks (the events were relayed as they went)."""

    def __init__(self) -> None:
        self.first_tick: int | None = None
        self.last_tick: int | None = None
        self.events = 0
        self.counts: Counter[str] = Counter()

    def add(self, events: "TickEvents") -> None:
        if self.first_tick is None:
            self.first_tick = events.tick
        self.last_tick = events.tick
        self.events += len(events)
        self.counts.update(events.counts())

    def as_result(self) -> "SimulationResult":
        from bike_pipeline.simulation.runner import SimulationResult

        first = self.first_tick if self.first_tick is not None else 0
        next_tick = self.last_tick + 1 if self.last_tick is not None else first
        result = SimulationResult(first_tick=first, next_tick=next_tick)
        result.events = self.events
        for name, count in self.counts.items():
            result.counts[name] = result.counts.get(name, 0) + count
        return result


def _redis_or_none(context: dg.AssetExecutionContext, resource: RedisResource) -> "Redis | None":
    """Redis for the relay; without it the events wait in the outbox and the ticks go on."""
    try:
        return resource.client()
    except Exception as error:
        context.log.warning(f"Redis unavailable, events stay in the outbox: {error}")
        return None


@dg.multi_asset(
    name="simulate_ticks",
    specs=[
        dg.AssetSpec(
            SIMULATED_WORLD,
            group_name="simulation",
            deps=[customers, bikes],
            kinds={"postgres"},
            skippable=True,
            description="The simulated world: core.customers/bikes as the simulation keeps "
            "them, core.rentals, and the last committed tick.",
        ),
        dg.AssetSpec(
            SIMULATION_EVENTS,
            group_name="events",
            deps=[SIMULATED_WORLD],
            kinds={"postgres"},
            skippable=True,
            description="core.events (every simulation event, in order) and the outbox "
            "the run relays to Redis as it goes.",
        ),
    ],
    pool="simulation",
    description="Advance the simulation from its last committed tick; commit core.* and the "
    "outbox per tick, relay the outbox to Redis.",
)
def simulate_ticks(
    context: dg.AssetExecutionContext,
    config: SimulationTicksConfig,
    postgres: PostgresResource,
    redis: RedisResource,
):
    from bike_pipeline.simulation.runner import run_simulation

    live = started_by_live_sensor(context.run)
    seen = _TicksSeen()

    def on_tick(events: "TickEvents") -> None:
        seen.add(events)
        if config.pace_seconds > 0 or events.tick % LOG_EVERY_TICKS == 0:
            context.log.info(
                f"tick {events.tick} ({events.sim_time:%Y-%m-%d %H:%M}): {len(events)} events"
            )
        if live and not live_sensor_running(context.instance):
            raise LiveModeStopped

    try:
        result = run_simulation(
            postgres.engine(), config.request(), _redis_or_none(context, redis), on_tick
        )
    except LiveModeStopped:
        context.log.info(f"live mode switched off: stopped after tick {seen.last_tick}")
        result = seen.as_result()
    context.log.info(
        f"ticks {result.first_tick}..{result.next_tick - 1}: {result.events} events, "
        f"{result.relayed} relayed to Redis"
    )
    if result.next_tick == result.first_tick:
        return  # no tick simulated: the world is unchanged, so nothing is materialised
    ticks = {"first_tick": result.first_tick, "next_tick": result.next_tick}
    yield dg.MaterializeResult(asset_key=SIMULATED_WORLD, metadata=ticks)
    yield dg.MaterializeResult(
        asset_key=SIMULATION_EVENTS,
        metadata={
            **ticks,
            "events": result.events,
            "relayed": result.relayed,
            "relay_ok": result.relay_ok,
            **{f"events_{name}": count for name, count in result.counts.items()},
        },
    )
