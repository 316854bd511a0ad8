from pathlib import Path

import pytest
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.generate import read_defects_file


def test_generate_writes_the_dump_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "dump"
    args = ["generate", "--customers", "200", "--bikes", "50", "--seed", "4", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--defect-rate", "0.05"])
    assert result.exit_code == 0, result.output
    assert "customers.csv: 200 rows, 10 bad rows" in result.output
    assert len(read_defects_file(out / "defects.json")["bikes.csv"]) == 2
    assert (out / "bikes.csv").read_bytes().count(b"\n") == 51


def test_default_defect_rate_is_zero(tmp_path: Path) -> None:
    args = ["generate", "--customers", "50", "--bikes", "5", "--out", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert read_defects_file(tmp_path / "defects.json") == {"customers.csv": (), "bikes.csv": ()}


@pytest.mark.parametrize(
    "bad",
    [
        ["--customers", "-1"],
        ["--bikes", "many"],
        ["--defect-rate", "0.9"],
        ["--seed", "-3"],
        [],  # --out missing
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, bad: list[str]) -> None:
    out = [] if bad == [] else ["--out", str(tmp_path / "x")]
    result = CliRunner().invoke(main, ["generate", *out, *bad])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x").exists()


def test_unwritable_folder_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["generate", "--out", str(blocker / "dump")])
    assert result.exit_code == 1
    assert "cannot write the dump" in result.output
