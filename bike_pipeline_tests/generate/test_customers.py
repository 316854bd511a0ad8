from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from bike_pipeline.db.dump_values import parse_dump_datetime
from bike_pipeline.generate import write_customers
from bike_pipeline.generate.customers import (
    CUSTOMER_HEADER,
    INSURED_SHARE_OF_REGISTERED,
    PHONE_SHARE,
    REGISTERED_SHARE,
)
from bike_pipeline.generate.dump_dates import DUMP_TIME, REGISTRATION_START
from bike_pipeline_tests.generate.binomial import assert_binomial
from bike_pipeline_tests.generate.contract_rules import CustomerRules, check_file

ROWS = 4000


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("customers") / "customers.csv"
    generated = write_customers(path, ROWS, seed=11, chunk_rows=1500)
    assert generated.rows == ROWS and generated.defects == ()
    assert path.read_bytes().startswith((",".join(CUSTOMER_HEADER) + "\n").encode())
    valid, violations = check_file(path, CustomerRules())
    assert {line: v for line, v in violations.items() if v} == {}
    return valid


def test_every_row_passes_the_contract_rules(customers: list[dict[str, str]]) -> None:
    assert len(customers) == ROWS


def test_ids_and_bsns_are_unique_and_some_bsns_start_with_zero(customers) -> None:
    assert len({c["customer_id"] for c in customers}) == ROWS
    assert len({c["bsn"] for c in customers}) == ROWS
    assert any(c["bsn"].startswith("0") for c in customers)


def test_about_thirty_percent_are_registered_within_the_year(customers) -> None:
    registered = [c for c in customers if c["registered_at"]]
    assert_binomial(len(registered), ROWS, REGISTERED_SHARE)
    for customer in registered:
        assert REGISTRATION_START <= parse_dump_datetime(customer["registered_at"]) < DUMP_TIME


def test_insured_only_when_registered_about_forty_percent(customers) -> None:
    registered = [c for c in customers if c["registered_at"]]
    insured = [c for c in registered if c["insured"] == "yes"]
    assert_binomial(len(insured), len(registered), INSURED_SHARE_OF_REGISTERED)
    assert all(c["registered_at"] for c in customers if c["insured"] == "yes")
    assert {c["insured"] for c in customers} == {"yes", "no", ""}


def test_optional_phone_given_by_most(customers) -> None:
    assert_binomial(sum(bool(c["phone"]) for c in customers), ROWS, PHONE_SHARE)


def test_everyone_is_at_least_sixteen_and_ages_are_spread(customers) -> None:
    ages = [
        (datetime(2025, 1, 1) - datetime.strptime(c["date_of_birth"], "%d-%m-%Y")).days / 365.25
        for c in customers
    ]
    assert min(ages) >= 16
    assert sum(age < 30 for age in ages) > ROWS / 10
    assert sum(age > 60 for age in ages) > ROWS / 100


def test_the_allowed_variants_all_occur(customers) -> None:
    assert any(" " not in c["postcode"] for c in customers)
    assert any(" " in c["iban"] for c in customers)
    assert any(c["iban"].islower() for c in customers)
    house_numbers = [c["house_number"] for c in customers]
    assert any(h.isdigit() for h in house_numbers)
    assert any(h[-1].isalpha() for h in house_numbers)
    assert any("-" in h for h in house_numbers)


def test_some_values_need_rfc4180_quoting(customers) -> None:
    assert any("," in c["street"] for c in customers)
    assert any('"' in c["first_name"] for c in customers)


def test_names_are_drawn_from_large_pools(customers) -> None:
    last_names = Counter(c["last_name"] for c in customers)
    assert len(last_names) > 500
    assert any(" " in name for name in last_names)  # `van den Berg`


def test_seed_decides_the_bytes(tmp_path: Path) -> None:
    a, b, c = (tmp_path / name for name in ("a.csv", "b.csv", "c.csv"))
    write_customers(a, 500, seed=1, defect_rate=0.05, chunk_rows=200)
    write_customers(b, 500, seed=1, defect_rate=0.05, chunk_rows=200)
    write_customers(c, 500, seed=2, defect_rate=0.05, chunk_rows=200)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
