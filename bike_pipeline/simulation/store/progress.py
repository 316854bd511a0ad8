"""The run's identity and progress: seed, scenario by content, last committed tick, ids."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.scenario import ScenarioError
from bike_pipeline.simulation.store.scenario_content import StoredScenario, differences

C = CORE_SCHEMA
MAX_SHOWN = 6


class SimulationMismatch(RuntimeError):
    """The database holds a simulation with another seed or scenario meaning."""


@dataclass(frozen=True)
class Progress:
    seed: int
    scenario: StoredScenario
    last_tick: int  # -1 before the first tick
    next_event_id: int
    next_rental_id: int

    def check_same_run(self, seed: int, scenario: StoredScenario) -> None:
        """Raise `SimulationMismatch` unless `seed` and the scenario's meaning are this run's;
        the message names each difference and the two ways on."""
        if seed == self.seed and scenario.sha256 == self.scenario.sha256:
            return
        found = [f"seed: {self.seed} stored, {seed} asked"] if seed != self.seed else []
        try:
            stored = self.scenario.meaning()
        except ScenarioError as error:
            raise SimulationMismatch(
                f"the database holds a simulation (last tick {self.last_tick}) whose stored "
                f"scenario cannot be rebuilt ({error}): start again with --reset"
            ) from None
        found += differences(stored, scenario.meaning())
        if not found:
            return
        shown = "; ".join(found[:MAX_SHOWN])
        if len(found) > MAX_SHOWN:
            shown += f"; and {len(found) - MAX_SHOWN} more"
        raise SimulationMismatch(
            f"the database holds a simulation (seed {self.seed}, scenario "
            f"{self.scenario.name!r}, last tick {self.last_tick}) that differs from the one "
            f"asked for ({scenario.name!r}): {shown}. Start again with --reset, or resume the "
            f"stored run: `bike-pipeline simulate --show-scenario > stored.yaml`, then "
            f"--seed {self.seed} --scenario stored.yaml"
        )


def read_progress(conn: sa.Connection) -> Progress | None:
    row = conn.execute(
        sa.text(
            f"SELECT seed, scenario, scenario_content, last_tick, next_event_id, next_rental_id "
            f"FROM {C}.simulation_state"
        )
    ).one_or_none()
    if row is None:
        return None
    seed, name, content, last_tick, next_event, next_rental = row
    return Progress(seed, StoredScenario(name, content), last_tick, next_event, next_rental)


def start_progress(conn: sa.Connection, seed: int, scenario: StoredScenario) -> Progress:
    """The progress row of a new run, before its first tick: ids follow any rows already
    in core.events and core.rentals."""
    max_event = conn.execute(
        sa.text(f"SELECT coalesce(max(event_id), 0) FROM {C}.events")
    ).scalar_one()
    max_rental = conn.execute(
        sa.text(f"SELECT coalesce(max(rental_id), 0) FROM {C}.rentals")
    ).scalar_one()
    progress = Progress(seed, scenario, -1, max_event + 1, max_rental + 1)
    conn.execute(
        sa.text(
            f"INSERT INTO {C}.simulation_state (singleton, seed, scenario, scenario_content, "
            "scenario_sha256, last_tick, next_event_id, next_rental_id) "
            "VALUES (true, :seed, :name, :content, :sha, :tick, :event, :rental)"
        ),
        {
            "seed": seed,
            "name": scenario.name,
            "content": scenario.content,
            "sha": scenario.sha256,
            "tick": progress.last_tick,
            "event": progress.next_event_id,
            "rental": progress.next_rental_id,
        },
    )
    return progress
