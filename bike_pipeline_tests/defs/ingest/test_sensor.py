"""The inbox sensor: one run per file content, keyed by its hash; files moved, never deleted."""

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.storage.tags import RUN_KEY_TAG

from bike_pipeline.definitions import defs
from bike_pipeline.defs.ingest.sensor import inbox_dumps
from bike_pipeline.settings import HOME_VAR
from bike_pipeline_tests.defs.project_instance import project_instance
from bike_pipeline_tests.ingest.dump_rows import CUSTOMER_HEADER, customer_row, write_dump


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(HOME_VAR, str(tmp_path / "home"))
    folder = tmp_path / "home" / "inbox"
    folder.mkdir(parents=True)
    return folder


def _settled(path: Path) -> Path:
    """Age the file past the sensor's settle time (it may still be copied in otherwise)."""
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def _tick(instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    with dg.build_sensor_context(instance=instance) as context:
        result = inbox_dumps(context)
    return list(result.run_requests or [])


def _execute(request: dg.RunRequest, instance: dg.DagsterInstance, **config: object):
    """Run the request as the daemon would; the postgres resource finds the test database
    through BIKE_PIPELINE_DATABASE_URL (set by the `engine` fixture)."""
    job = defs().resolve_job_def("ingest_dump")
    return job.execute_in_process(
        run_config=config.get("run_config", request.run_config),
        instance=instance,
        tags={RUN_KEY_TAG: request.run_key},
        asset_selection=request.asset_selection,
        raise_on_error=False,
    )


@pytest.fixture
def instance(inbox: Path) -> Iterator[dg.DagsterInstance]:
    with project_instance(inbox.parent) as project:
        yield project


def test_a_dropped_dump_is_ingested_once_and_moved(
    inbox: Path, engine: sa.Engine, instance: dg.DagsterInstance
) -> None:
    dump = write_dump(inbox / "klanten.csv", CUSTOMER_HEADER, [customer_row(1)])
    assert _tick(instance) == []  # just written: not yet settled
    _settled(dump)
    sha = hashlib.sha256(dump.read_bytes()).hexdigest()

    (request,) = _tick(instance)
    assert request.run_key == sha
    assert request.asset_selection == [dg.AssetKey("customers")]
    assert request.run_config == {"ops": {"customers": {"config": {"path": str(dump)}}}}
    assert dump.exists()  # still there while its run is pending

    assert _execute(request, instance).success
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one() == 1
    assert _tick(instance) == []
    assert not dump.exists()
    assert (inbox / "processed" / "klanten.csv").read_bytes() == (
        CUSTOMER_HEADER + "\n" + customer_row(1) + "\n"
    ).encode()

    again = _settled(write_dump(inbox / "klanten.csv", CUSTOMER_HEADER, [customer_row(1)]))
    assert _tick(instance) == []  # same content: no second run, moved beside the first
    assert not again.exists()
    assert (inbox / "processed" / f"klanten-{sha[:12]}.csv").exists()


def test_a_failed_run_moves_the_file_to_failed(
    inbox: Path, engine: sa.Engine, instance: dg.DagsterInstance
) -> None:
    dump = _settled(write_dump(inbox / "customers.csv", CUSTOMER_HEADER, [customer_row(1)]))
    (request,) = _tick(instance)
    broken = {"ops": {"customers": {"config": {"path": str(inbox / "gone.csv")}}}}
    assert not _execute(request, instance, run_config=broken).success
    assert _tick(instance) == []
    assert not dump.exists()
    assert (inbox / "failed" / "customers.csv").exists()


def test_a_file_that_is_no_dump_goes_to_failed_without_a_run(
    inbox: Path, instance: dg.DagsterInstance
) -> None:
    (inbox / "notes.csv").write_text("what,ever\n1,2\n")
    (inbox / "readme.txt").write_text("not a csv")
    _settled(inbox / "notes.csv")
    _settled(inbox / "readme.txt")
    assert _tick(instance) == []
    assert (inbox / "failed" / "notes.csv").exists()
    assert (inbox / "readme.txt").exists()
