"""The headline answer's verdicts and margins (pure logic)."""

from __future__ import annotations

from bike_pipeline.reporting.answer import FleetAnswer


def _answer(**changes: object) -> FleetAnswer:
    base = {
        "scenario": "seed",
        "target": 0.95,
        "current_fleet": 1_500,
        "recommended": 1_200,
        "interval": (1_100.0, 1_180.0),
        "needs_replacement": False,
        "replacement_per_week": 0.0,
        "cap": 50_000,
        "scale": 1.0,
        "bike_price": 900.0,
    }
    return FleetAnswer(**(base | changes))  # type: ignore[arg-type]


def test_a_fleet_above_the_recommendation_is_adequate_by_its_margin() -> None:
    answer = _answer()
    assert answer.adequate and answer.margin == 300 and answer.purchase_eur == 0
    assert "Adequate" in answer.sentence() and "300 bikes to spare (25%)" in answer.sentence()


def test_a_short_fleet_says_how_many_bikes_and_what_they_cost() -> None:
    answer = _answer(recommended=13_676)
    assert not answer.adequate and answer.margin == -12_176
    assert answer.purchase_eur == 12_176 * 900.0
    assert "12,176 bikes short" in answer.sentence()
    assert "EUR 10,958,400" in answer.sentence()


def test_only_with_replacement_or_not_at_all() -> None:
    replacing = _answer(recommended=30_000, needs_replacement=True, replacement_per_week=2_000.0)
    assert replacing.adequate is False and "~2,000 bikes a week" in replacing.sentence()
    hopeless = _answer(recommended=None, interval=None)
    assert hopeless.adequate is False and hopeless.margin is None
    assert "No fleet up to 50,000 bikes" in hopeless.sentence()
