"""The simulated world and its events: one op (`simulate_ticks`, the same code path as
`bike-pipeline simulate`) materialises both.

- `simulated_world` (group simulation): core.customers/bikes as the simulation keeps them,
  core.rentals and the simulation's progress; downstream of the ingested dump.
- `simulation_events` (group events): core.events and the outbox the run appended to.

A run advances the simulation from its last committed tick (or starts again from the dump
with `reset`), so each materialisation is a new version of a stateful world, and what
reads the world (bi_events, the graph, analytics, the report) shows as stale after it.
"""

import dagster as dg
from pydantic import Field
from redis import Redis

from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation, ticks_for
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO
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

    def request(self) -> SimulationRequest:
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


def _redis_or_none(context: dg.AssetExecutionContext, resource: RedisResource) -> Redis | None:
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
            description="The simulated world: core.customers/bikes as the simulation keeps "
            "them, core.rentals, and the last committed tick.",
        ),
        dg.AssetSpec(
            SIMULATION_EVENTS,
            group_name="events",
            deps=[SIMULATED_WORLD],
            kinds={"postgres"},
            description="core.events (every simulation event, in order) and the outbox "
            "the run relays to Redis as it goes.",
        ),
    ],
    description="Advance the simulation from its last committed tick; commit core.* and the "
    "outbox per tick, relay the outbox to Redis.",
)
def simulate_ticks(
    context: dg.AssetExecutionContext,
    config: SimulationTicksConfig,
    postgres: PostgresResource,
    redis: RedisResource,
):
    def log_progress(events: TickEvents) -> None:
        if config.pace_seconds > 0 or events.tick % LOG_EVERY_TICKS == 0:
            context.log.info(
                f"tick {events.tick} ({events.sim_time:%Y-%m-%d %H:%M}): {len(events)} events"
            )

    result = run_simulation(
        postgres.engine(), config.request(), _redis_or_none(context, redis), log_progress
    )
    context.log.info(
        f"ticks {result.first_tick}..{result.next_tick - 1}: {result.events} events, "
        f"{result.relayed} relayed to Redis"
    )
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
