"""The ingestion assets, their blocking checks and the ingest_dump job, through Dagster."""

from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from bike_pipeline.definitions import defs
from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)


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


def test_assets_materialise_with_counts_preview_and_passing_checks(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    customers_path, bikes_path = _small_dump(tmp_path)
    result = dg.materialize(
        [customers, bikes],
        resources={"postgres": PostgresResource(database_url=database_url)},
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
        [customers],
        resources={"postgres": PostgresResource(database_url=database_url)},
        run_config={"ops": {"customers": {"config": {"path": str(customers_path)}}}},
        raise_on_error=False,
    )
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["bsns_pass_eleven_check"] is False
    assert checks["unique_ids_and_bsns"] is True


def test_unusable_file_fails_the_asset_with_file_and_problem(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.csv"
    result = dg.materialize(
        [customers],
        resources={"postgres": PostgresResource(database_url=database_url)},
        run_config={"ops": {"customers": {"config": {"path": str(missing)}}}},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.failure_data_for_node("customers")
    assert f"{missing}: file not found" in failure.error.message


def test_the_job_of_main_run_ingests_both_files(database_url: str, tmp_path: Path) -> None:
    customers_path, bikes_path = _small_dump(tmp_path)
    job = defs().resolve_job_def("ingest_dump")
    result = job.execute_in_process(
        run_config=_run_config(customers_path, bikes_path),
        instance=dg.DagsterInstance.ephemeral(),
        resources={"postgres": PostgresResource(database_url=database_url)},
    )
    assert result.success
    assert len(result.get_asset_check_evaluations()) == 6
