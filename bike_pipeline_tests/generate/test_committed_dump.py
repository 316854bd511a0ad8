"""The default dump in data/ (made by the command in data/README.md) is what it claims."""

from pathlib import Path

from bike_pipeline.generate import GeneratedFile, read_defects_file
from bike_pipeline.generate.customers import REGISTERED_SHARE
from bike_pipeline_tests.generate.binomial import assert_binomial
from bike_pipeline_tests.generate.contract_rules import BikeRules, CustomerRules, check_file
from bike_pipeline_tests.generate.test_table_writer import (
    BIKE_RULES,
    CUSTOMER_RULES,
    assert_defects_match_file,
)

DATA = Path(__file__).resolve().parents[2] / "data"


def test_committed_dump_has_every_kind_of_bad_row_at_about_one_percent() -> None:
    listed = read_defects_file(DATA / "defects.json")
    for name, rows, rules, kinds in (
        ("customers.csv", 10_000, CustomerRules(), CUSTOMER_RULES),
        ("bikes.csv", 1_500, BikeRules(), BIKE_RULES),
    ):
        generated = GeneratedFile(DATA / name, rows, listed[name])
        assert len(generated.defects) == rows // 100
        assert set(generated.defect_counts) == set(kinds)
        assert_defects_match_file(generated, rules, kinds)


def test_about_thirty_percent_of_committed_customers_are_registered() -> None:
    valid, _ = check_file(DATA / "customers.csv", CustomerRules())
    registered = sum(bool(c["registered_at"]) for c in valid)
    assert_binomial(registered, len(valid), REGISTERED_SHARE)
