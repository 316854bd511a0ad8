"""The bad rows: each listed defect breaks exactly its named rule, every other row is valid."""

from pathlib import Path

import pytest

from bike_pipeline.generate import GeneratedFile, write_bikes, write_customers
from bike_pipeline.generate.bike_defects import BIKE_DEFECT_KINDS
from bike_pipeline.generate.table_writer import MAX_DEFECT_RATE
from bike_pipeline_tests.generate.contract_rules import BikeRules, CustomerRules, check_file

# defect kind -> the rule of the independent checker it must break
CUSTOMER_RULES = {
    "short_row": "field_count",
    "extra_field": "field_count",
    "invalid_utf8": "utf8",
    "non_numeric_id": "id_integer",
    "nonpositive_id": "id_positive",
    "duplicate_id": "duplicate",
    "duplicate_bsn": "duplicate",
    "missing_required": "required",
    "name_too_long": "too_long",
    "bsn_check": "bsn_check",
    "bsn_format": "bsn_format",
    "iban_check": "iban_check",
    "iban_format": "iban_format",
    "email_without_at": "email_at",
    "email_with_two_at": "email_at",
    "bad_postcode": "postcode",
    "bad_date_format": "date_format",
    "impossible_date": "impossible_date",
    "bad_datetime": "datetime_format",
    "under_16": "under_16",
    "bad_boolean": "boolean",
    "insured_without_registration": "insured_without_registration",
}
BIKE_RULES = {
    "short_row": "field_count",
    "extra_field": "field_count",
    "invalid_utf8": "utf8",
    "non_numeric_id": "id_integer",
    "nonpositive_id": "id_positive",
    "duplicate_id": "duplicate",
    "duplicate_frame_number": "duplicate",
    "missing_required": "required",
    "bad_date_format": "date_format",
    "impossible_date": "impossible_date",
    "bad_price": "price_format",
    "unknown_model": "model",
    "unknown_status": "status",
    "outside_netherlands": "outside_netherlands",
}


def assert_defects_match_file(generated: GeneratedFile, rules, expected_rule: dict) -> None:
    _, violations = check_file(generated.path, rules)
    assert len(violations) == generated.rows
    listed = {d.line: d for d in generated.defects}
    assert len(listed) == len(generated.defects), "one defect per line"
    for line, broken in violations.items():
        if line not in listed:
            assert broken == set(), f"line {line} should be valid"
            continue
        defect = listed[line]
        assert {rule for rule, _ in broken} == {expected_rule[defect.kind]}, (line, defect)
        if defect.column is not None:
            assert defect.column in {column for _, column in broken}, (line, defect)


@pytest.fixture(scope="module")
def bad_customers(tmp_path_factory: pytest.TempPathFactory) -> GeneratedFile:
    path = tmp_path_factory.mktemp("bad") / "customers.csv"
    return write_customers(path, 3000, seed=21, defect_rate=0.05, chunk_rows=700)


def test_each_customer_defect_breaks_its_rule_and_nothing_else(bad_customers) -> None:
    assert_defects_match_file(bad_customers, CustomerRules(), CUSTOMER_RULES)


def test_defect_count_is_the_rate_and_every_kind_occurs(bad_customers) -> None:
    assert len(bad_customers.defects) == 150  # floor(0.05 * 3000)
    assert set(bad_customers.defect_counts) == set(CUSTOMER_RULES)
    counts = bad_customers.defect_counts.values()
    assert max(counts) - min(counts) <= 1  # kinds are taken in turn


def test_first_data_row_is_never_a_defect(bad_customers) -> None:
    assert min(d.line for d in bad_customers.defects) > 2
    assert all(d.line <= bad_customers.rows + 1 for d in bad_customers.defects)


def test_each_bike_defect_breaks_its_rule_and_nothing_else(tmp_path: Path) -> None:
    generated = write_bikes(tmp_path / "bikes.csv", 2000, seed=4, defect_rate=0.04, chunk_rows=300)
    assert len(generated.defects) == 80
    assert set(generated.defect_counts) == set(BIKE_RULES) == {k.name for k in BIKE_DEFECT_KINDS}
    assert_defects_match_file(generated, BikeRules(), BIKE_RULES)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_defects_hold_for_other_seeds_and_rates(tmp_path: Path, seed: int) -> None:
    customers = write_customers(tmp_path / "c.csv", 1200, seed, defect_rate=0.3, chunk_rows=250)
    assert len(customers.defects) == 360
    assert_defects_match_file(customers, CustomerRules(), CUSTOMER_RULES)
    bikes = write_bikes(tmp_path / "b.csv", 600, seed, defect_rate=0.3, chunk_rows=250)
    assert_defects_match_file(bikes, BikeRules(), BIKE_RULES)


def test_no_defects_by_default_and_an_empty_file_is_just_the_header(tmp_path: Path) -> None:
    empty = write_customers(tmp_path / "empty.csv", 0, seed=1, defect_rate=0.1)
    assert empty.rows == 0 and empty.defects == ()
    assert empty.path.read_bytes().count(b"\n") == 1


@pytest.mark.parametrize("rate", [-0.01, MAX_DEFECT_RATE + 0.01])
def test_rate_out_of_range_is_refused(tmp_path: Path, rate: float) -> None:
    with pytest.raises(ValueError, match="defect rate"):
        write_bikes(tmp_path / "b.csv", 10, seed=1, defect_rate=rate)
