"""The privacy assets and their blocking checks, materialised through Dagster on a test database."""

import dagster as dg
import pytest
import sqlalchemy as sa

from bike_pipeline.defs.privacy.assets import analytics_customers, bi_events, privacy_tables
from bike_pipeline.defs.privacy.checks import (
    analytics_ciphertext_is_sound,
    bi_has_no_personal_values,
)
from bike_pipeline.defs.privacy.resources import PrivacyKeysResource
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline_tests.privacy.sample_data import insert_customers, insert_events, mixed_events

DEFS = [bi_events, analytics_customers, bi_has_no_personal_values, analytics_ciphertext_is_sound]


def _resources(database_url: str) -> dict[str, object]:
    return {
        "postgres": PostgresResource(database_url=database_url),
        "privacy_keys": PrivacyKeysResource(pii_key="pii", pseudonym_key="pseudo"),
    }


def _check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


@pytest.fixture
def populated(engine: sa.Engine) -> sa.Engine:
    customers = insert_customers(engine, 8)
    insert_events(engine, mixed_events(customers, 30))
    return engine


def test_both_assets_build_and_their_checks_pass(populated: sa.Engine, database_url: str) -> None:
    result = dg.materialize(DEFS, resources=_resources(database_url))

    assert result.success
    assert _check_results(result) == {
        "bi_has_no_personal_values": True,
        "analytics_ciphertext_is_sound": True,
    }
    metadata = result.asset_materializations_for_node("bi_events")[0].metadata
    assert metadata["events_added"].value == 30
    with populated.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM analytics.customers")).scalar() == 8


def test_a_personal_value_in_bi_fails_the_blocking_check(
    populated: sa.Engine, database_url: str
) -> None:
    with populated.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bi.leak AS SELECT email FROM core.customers LIMIT 1"))

    result = dg.materialize(
        [bi_events, bi_has_no_personal_values],
        resources=_resources(database_url),
        raise_on_error=False,
    )

    assert not result.success
    assert _check_results(result) == {"bi_has_no_personal_values": False}


def test_the_privacy_job_builds_both_assets_and_runs_their_checks(database_url: str) -> None:
    defs = dg.Definitions(
        assets=[bi_events, analytics_customers],
        asset_checks=[bi_has_no_personal_values, analytics_ciphertext_is_sound],
        jobs=[privacy_tables],
        resources=_resources(database_url),
    )
    job = defs.resolve_job_def("privacy_tables")
    assert set(job.graph.node_names()) == {
        "bi_events",
        "analytics_customers",
        "bi_events_bi_has_no_personal_values",
        "analytics_customers_analytics_ciphertext_is_sound",
    }
