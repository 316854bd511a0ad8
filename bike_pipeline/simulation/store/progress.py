"""The run's identity and progress: seed, scenario by content, last committed tick, ids."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.store.scenario_content import StoredScenario

C = CORE_SCHEMA


class SimulationMismatch(RuntimeError):
    """The database holds a simulation with another seed or scenario."""


@dataclass(frozen=True)
class Progress:
    seed: int
    scenario: StoredScenario
    last_tick: int  # -1 before the first tick
    next_event_id: int
    next_rental_id: int

    def check_same_run(self, seed: int, scenario: StoredScenario) -> None:
        """Raise `SimulationMismatch` unless `seed` and the scenario's content are this run's."""
        if seed == self.seed and scenario.sha256 == self.scenario.sha256:
            return
        raise SimulationMismatch(
            f"the database holds a simulation with seed {self.seed} and scenario "
            f"{self.scenario.name!r} (content sha256 {self.scenario.sha256[:12]}, last tick "
            f"{self.last_tick}); asked for seed {seed} and scenario {scenario.name!r} "
            f"(sha256 {scenario.sha256[:12]}): resume with those, or start again with --reset"
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
