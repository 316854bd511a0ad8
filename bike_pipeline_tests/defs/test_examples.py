"""Every example config in deploy/examples/ is valid for the job it is named after."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

from bike_pipeline.definitions import defs

EXAMPLES = sorted((Path(__file__).parents[2] / "deploy" / "examples").glob("*.yaml"))


def test_there_is_an_example_for_each_job_with_op_config() -> None:
    assert {path.stem for path in EXAMPLES} == {
        "ingest_dump",
        "simulation_ticks",
        "event_relay",
        "graph_links",
        "fleet_report_job",
        "six_month_report",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_validates_against_its_job_config_schema(path: Path) -> None:
    job = defs().resolve_job_def(path.stem)
    config = yaml.safe_load(path.read_text())
    assert path.read_text().startswith(
        f"# dagster job execute -m bike_pipeline.definitions -j {job.name} "
    )
    validated = dg.validate_run_config(job, config)
    assert set(config["ops"]) <= set(validated["ops"])
    # a typo (an op or field that does not exist) is refused, so the check above has teeth
    op = next(iter(config["ops"]))
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(job, {"ops": {op: {"config": {"no_such_field": 1}}}})
