import re
from collections import Counter
from datetime import datetime

import pytest

from bike_pipeline.generate import write_bikes
from bike_pipeline.generate.bikes import BIKE_HEADER, MODEL_PRICE_RANGE, MODEL_SHARES, MODELS
from bike_pipeline_tests.generate.binomial import assert_binomial
from bike_pipeline_tests.generate.contract_rules import BikeRules, check_file

ROWS = 3000


@pytest.fixture(scope="module")
def bikes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("bikes") / "bikes.csv"
    generated = write_bikes(path, ROWS, seed=5, chunk_rows=1000)
    assert generated.rows == ROWS and generated.defects == ()
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(BIKE_HEADER)
    valid, violations = check_file(path, BikeRules())
    assert {line: v for line, v in violations.items() if v} == {}
    return valid


def test_every_row_passes_the_contract_rules(bikes: list[dict[str, str]]) -> None:
    assert len(bikes) == ROWS
    assert len({b["bike_id"] for b in bikes}) == len({b["frame_number"] for b in bikes}) == ROWS


def test_models_in_their_shares_with_catalogue_prices(bikes) -> None:
    models = Counter(b["model"] for b in bikes)
    for model, share in zip(MODELS, MODEL_SHARES, strict=True):
        assert_binomial(models[model], ROWS, share)
    for bike in bikes:
        low, high = MODEL_PRICE_RANGE[bike["model"]]
        assert low - 1 <= float(bike["purchase_price_eur"]) <= high


def test_bought_2021_to_2025_mostly_available(bikes) -> None:
    years = {datetime.strptime(b["purchased_on"], "%d-%m-%Y").year for b in bikes}
    assert years == {2021, 2022, 2023, 2024, 2025}
    statuses = Counter(b["status"] for b in bikes)
    assert set(statuses) == {"available", "in_repair", "totalled"}
    assert statuses["available"] > 0.85 * ROWS


def test_about_sixty_named_stations_some_quoted(bikes) -> None:
    stations = {b["station"] for b in bikes}
    assert 50 <= len(stations) <= 60
    assert any("," in s for s in stations)
    assert any(re.fullmatch(r"[A-Z][a-z]+ Centraal", s) for s in stations)


def test_bikes_of_a_station_stand_close_together(bikes) -> None:
    by_station: dict[str, list[float]] = {}
    for bike in bikes:
        by_station.setdefault(bike["station"], []).append(float(bike["latitude"]))
    for latitudes in by_station.values():
        assert max(latitudes) - min(latitudes) < 0.01
