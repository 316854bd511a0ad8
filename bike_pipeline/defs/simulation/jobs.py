"""`simulation_ticks`: run simulation ticks (the same code path as `bike-pipeline simulate`).

An op job, not an asset: a run advances a stateful simulation from its last committed tick
up to `days` from the run's first tick, so launching it again after a crash finishes the
same run, and `more_days` continues it. Launch it from the UI, with
`dagster job execute -j simulation_ticks -c config.yaml`, from the live sensor, or from
`bike-pipeline run`.
"""

import dagster as dg
from pydantic import Field
from redis import Redis

from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation, ticks_for
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO
from bike_pipeline.simulation.tick_events import TickEvents

LOG_EVERY_TICKS = 72 * 7


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
    seed: int = 42
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


def _redis_or_none(context: dg.OpExecutionContext, resource: RedisResource) -> Redis | None:
    """Redis for the relay; without it the events wait in the outbox and the ticks go on."""
    try:
        return resource.client()
    except Exception as error:
        context.log.warning(f"Redis unavailable, events stay in the outbox: {error}")
        return None


@dg.op(
    out=dg.Out(dg.Nothing),
    description="Advance the simulation from its last committed tick; commit core.* and the "
    "outbox per tick, relay the outbox to Redis.",
)
def simulate_ticks(
    context: dg.OpExecutionContext,
    config: SimulationTicksConfig,
    postgres: PostgresResource,
    redis: RedisResource,
) -> dg.Output[None]:
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
    return dg.Output(
        None,
        metadata={
            "first_tick": result.first_tick,
            "next_tick": result.next_tick,
            "events": result.events,
            "relayed": result.relayed,
            "relay_ok": result.relay_ok,
            **{f"events_{name}": count for name, count in result.counts.items()},
        },
    )


@dg.job(
    description="Simulation ticks: rules per tick into core.*, events via the outbox to Redis.",
    tags={"dagster/max_retries": 0},
)
def simulation_ticks() -> None:
    simulate_ticks()
