"""The ingestion assets, their blocking checks (also alone) and the ingest_dump job."""

import hashlib
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from bike_pipeline.definitions import defs
from bike_pipeline.defs.ingest import checks
from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.ingest.dump_files import DumpFilesResource
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)

CUSTOMER_CHECKS = [checks.customers_checks]  # three checks in one step
BIKE_CHECKS = [checks.bikes_checks]


def _resources(database_url: str, data_dir: Path | str = "data") -> dict[str, object]:
    return {
        "postgres": PostgresResource(database_url=database_url),
        "dump_files": DumpFilesResource(data_dir=str(data_dir)),
    }


def _run_config(customers_path: Path, bikes_path: Path) -> dict[str, object]:
    return {
        "ops": {
            "customers": {"config": {"path": str(customers_path)}},
            "bikes": {"config": {"path": str(bikes_path)}},
        }
    }


def _small_dump(tmp_path: Path) -> tuple[Path, Path]:
    customers_path = write_dump(
        tmp_path / "customers.csv",
        CUSTOMER_HEADER,
        [customer_row(1), customer_row(2, bsn="111222334"), customer_row(3)],
    )
    bikes_path = write_dump(
        tmp_path / "bikes.csv", BIKE_HEADER, [bike_row(1), bike_row(2, latitude="60.0")]
    )
    return customers_path, bikes_path


def test_definitions_load_with_the_ingest_job_and_sensor() -> None:
    definitions = defs()
    job = definitions.resolve_job_def("ingest_dump")
    assert {node.name for node in job.graph.node_defs} >= {"customers", "bikes"}
    assert definitions.resolve_sensor_def("inbox_dumps").job_name == "ingest_dump"
    graph = definitions.resolve_asset_graph()
    assert graph.get(dg.AssetKey("customers")).parent_keys == {dg.AssetKey("customers_dump")}
    assert graph.get(dg.AssetKey("customers_dump")).is_observable


def test_assets_materialise_with_counts_preview_and_passing_checks(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    customers_path, bikes_path = _small_dump(tmp_path)
    result = dg.materialize(
        [customers, bikes, *CUSTOMER_CHECKS, *BIKE_CHECKS],
        resources=_resources(database_url),
        run_config=_run_config(customers_path, bikes_path),
    )
    assert result.success
    checks = {
        (e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert checks == {
        ("customers", "unique_ids_and_bsns"): True,
        ("customers", "bsns_pass_eleven_check"): True,
        ("customers", "counts_add_up"): True,
        ("bikes", "unique_ids_and_frame_numbers"): True,
        ("bikes", "coordinates_in_range"): True,
        ("bikes", "counts_add_up"): True,
    }
    metadata = result.asset_materializations_for_node("customers")[0].metadata
    assert (metadata["loaded"].value, metadata["rejected"].value) == (2, 1)
    assert metadata["rejects_by_reason"].value == {"bsn: not 9 digits passing the 11-check": 1}
    preview = metadata["preview"].value
    assert "| customer_id | registered | insured | postcode_region |" in preview
    for personal in ("Anna", "Visser", "111222333", "NL91", "anna@", "Dorpsstraat", "1234 AB"):
        assert personal not in preview
    bike_metadata = result.asset_materializations_for_node("bikes")[0].metadata
    assert bike_metadata["rejects_by_reason"].value == {
        "latitude: outside the Netherlands (50.75-53.7)": 1
    }


def test_a_broken_table_fails_the_blocking_check(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE core.customers DROP CONSTRAINT ck_customers_bsn_digits"))
        conn.execute(
            sa.text(
                "INSERT INTO core.customers (customer_id, first_name, last_name, bsn, iban, email,"
                " date_of_birth, street, house_number, postcode, city) VALUES (99, 'a', 'b',"
                " '111222334', 'NL91ABNA0417164300', 'a@b', '1990-01-01', 's', '1', '1234 AB',"
                " 'c')"
            )
        )
    customers_path, _ = _small_dump(tmp_path)
    result = dg.materialize(
        [customers, *CUSTOMER_CHECKS],
        resources=_resources(database_url),
        run_config={"ops": {"customers": {"config": {"path": str(customers_path)}}}},
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["bsns_pass_eleven_check"].passed is False
    assert evaluations["bsns_pass_eleven_check"].description == ("1 stored BSNs fail the 11-check")
    assert evaluations["bsns_pass_eleven_check"].metadata["failing_rows"].value == 1
    assert evaluations["unique_ids_and_bsns"].passed is True


def test_a_check_runs_alone_on_what_is_loaded(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    customers_path, bikes_path = _small_dump(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("ingest_dump")
    resources = _resources(database_url)
    assert job.execute_in_process(
        run_config=_run_config(customers_path, bikes_path), instance=instance, resources=resources
    ).success
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE core.bikes DROP CONSTRAINT ck_bikes_latitude"))
        conn.execute(sa.text("UPDATE core.bikes SET latitude = 60 WHERE bike_id = 1"))
    result = (
        defs()
        .resolve_job_def("check_dump")
        .execute_in_process(instance=instance, resources=resources, raise_on_error=False)
    )
    evaluations = {
        (e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()
    }
    assert len(evaluations) == 6 and not result.get_asset_materialization_events()
    outside = evaluations[("bikes", "coordinates_in_range")]
    assert outside.passed is False and outside.metadata["bikes_outside"].value == 1
    counts = evaluations[("customers", "counts_add_up")]
    assert counts.passed and counts.metadata["data_rows"].value == 3


def test_unusable_file_fails_the_asset_with_file_and_problem(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.csv"
    result = dg.materialize(
        [customers],
        resources=_resources(database_url),
        run_config={"ops": {"customers": {"config": {"path": str(missing)}}}},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.failure_data_for_node("customers")
    assert f"{missing}: file not found" in failure.error.message


def test_the_job_observes_the_files_and_ingests_them(database_url: str, tmp_path: Path) -> None:
    customers_path, bikes_path = _small_dump(tmp_path)
    job = defs().resolve_job_def("ingest_dump")
    instance = dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance, resources=_resources(database_url, data_dir=tmp_path)
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 8 and all(e.passed for e in evaluations)  # 6 tables + 2 files
    observed = instance.get_latest_data_version_record(dg.AssetKey("customers_dump"))
    sha = hashlib.sha256(customers_path.read_bytes()).hexdigest()
    assert observed is not None and observed.asset_observation.data_version == sha
    assert bikes_path.exists()
