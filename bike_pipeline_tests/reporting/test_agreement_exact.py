"""The run's own figures and its replication are one model, exactly: a run persisted through
the database (the canonical engine, core.*, SQL counts) and the replication with its seed,
scenario and world give every headline figure alike, to the cent, for each shipped scenario.

A day and a half from midnight crosses a night: two rebalancing rounds (04:00), a local
midnight and both rush hours, so the moves, their cost and the daily figures are covered.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.series import COLUMNS
from bike_pipeline_tests.reporting.persisted_and_replayed import (
    Replicate,
    read_persisted,
    replay,
)
from bike_pipeline_tests.reporting.simulated_run import scalar, simulated_run

DAYS = 1.5
SHIPPED = ("seed", "full", "calibrated")


@pytest.fixture
def replication_function() -> Replicate:
    """The replication under test; a faster engine claiming the same model goes here."""
    return replicate


def _differences(run: dict, replayed: dict) -> list[str]:
    """Headline keys whose values differ: money by a cent or more, anything else at all."""
    found = []
    for key in sorted(set(run) | set(replayed)):
        mine, theirs = run.get(key), replayed.get(key)
        if isinstance(mine, float) and isinstance(theirs, float):
            tolerance = 0.005 if key.endswith("_eur") else 1e-12
            if not math.isclose(mine, theirs, rel_tol=0, abs_tol=tolerance):
                found.append(f"{key}: run {mine!r}, replication {theirs!r}")
        elif mine != theirs:
            found.append(f"{key}: run {mine!r}, replication {theirs!r}")
    return found


@pytest.mark.parametrize("scenario", SHIPPED)
def test_a_persisted_run_and_its_replication_agree_to_the_cent(
    engine: sa.Engine, tmp_path: Path, scenario: str, replication_function: Replicate
) -> None:
    simulated_run(engine, tmp_path, scenario=scenario, days=DAYS, seed=101)
    persisted = read_persisted(engine)
    run = persisted.run
    replayed = replay(persisted, replication_function)

    prices = run.scenario.prices
    figures = headline(run.series, prices)
    assert figures["rentals"] > 0 and figures["revenue_eur"] > 0
    assert _differences(figures, headline(replayed, prices)) == []
    for column in COLUMNS:
        assert np.allclose(getattr(replayed, column.name), getattr(run.series, column.name)), (
            column.name
        )
    moves = scalar(engine, "SELECT count(*) FROM core.events WHERE type = 'rebalanced'")
    assert figures["rebalancing_moves"] == moves
    assert figures["cost_rebalancing_eur"] == pytest.approx(moves * prices.rebalancing_per_move)
    if scenario == "calibrated":
        assert moves > 0  # the horizon exercises the rebalancing
    else:
        assert moves == 0  # the literal scenarios have no stations
