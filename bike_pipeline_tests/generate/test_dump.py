from pathlib import Path

import pytest

from bike_pipeline.generate import write_dump


def test_same_arguments_byte_identical_dump(tmp_path: Path) -> None:
    first = write_dump(tmp_path / "a", customers=300, bikes=100, seed=3, defect_rate=0.05)
    write_dump(tmp_path / "b", customers=300, bikes=100, seed=3, defect_rate=0.05)
    for name in ("customers.csv", "bikes.csv", "defects.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.customers.path == tmp_path / "a" / "customers.csv"


def test_bikes_do_not_depend_on_the_customer_count(tmp_path: Path) -> None:
    write_dump(tmp_path / "a", customers=100, bikes=50, seed=3)
    write_dump(tmp_path / "b", customers=200, bikes=50, seed=3)
    assert (tmp_path / "a/bikes.csv").read_bytes() == (tmp_path / "b/bikes.csv").read_bytes()


def test_negative_counts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_dump(tmp_path, customers=-1, bikes=0, seed=1)
