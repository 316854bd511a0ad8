"""A small run of every privacy code path leaks no personal value: logs, errors, output, Redis."""

import logging

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from bike_pipeline.cli import main
from bike_pipeline.cli.keys import NEW_PII_KEY_VAR
from bike_pipeline.privacy.analytics_build import fill_analytics_customers
from bike_pipeline.privacy.analytics_check import check_analytics_customers
from bike_pipeline.privacy.analytics_models import AnalyticsCustomer
from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.privacy.bi_scan import find_personal_values_in_bi
from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.privacy.rotation import rotate_pii_key
from bike_pipeline.settings import PII_KEY_VAR
from bike_pipeline_tests.privacy.sample_data import insert_customers, insert_events, mixed_events
from bike_pipeline_tests.privacy_scan import (
    PersonalValues,
    assert_no_personal_values,
    redis_text,
)


def test_privacy_code_paths_leak_nothing(
    engine: sa.Engine,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    customers = insert_customers(engine, 25)
    insert_events(engine, mixed_events(customers, 80))
    values = PersonalValues.from_database(engine)
    errors: list[str] = []

    build_bi_events(engine, Pseudonymiser("p1"))
    build_bi_events(engine, Pseudonymiser("p2"))  # key change: full rebuild, logged
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bi.leak AS SELECT bsn FROM core.customers"))
    errors.extend(str(f) for f in find_personal_values_in_bi(engine))
    assert errors, "the planted BSNs must be found (and described without their value)"

    fill_analytics_customers(engine, PiiCipher("k1"))
    errors.append(str(check_analytics_customers(engine, PiiCipher("wrong")).error))
    for old in ("wrong", "k1"):
        try:
            rotate_pii_key(engine, PiiCipher(old), PiiCipher("k2"))
        except WrongPiiKeyError as error:
            errors.append(str(error))
    monkeypatch.setenv(PII_KEY_VAR, "k1")
    with Session(engine) as session, pytest.raises(WrongPiiKeyError) as info:
        session.scalars(sa.select(AnalyticsCustomer)).all()
    errors.append(str(info.value))
    cli = CliRunner().invoke(
        main, ["keys", "rotate"], env={PII_KEY_VAR: "k1", NEW_PII_KEY_VAR: "k3"}
    )
    assert cli.exit_code == 1

    assert_no_personal_values(caplog.text, values, where="the logs")
    assert_no_personal_values("\n".join(errors), values, where="the error messages")
    assert_no_personal_values(cli.output, values, where="the CLI output")
    assert_no_personal_values(redis_text(redis_client), values, where="Redis")
    assert "bi.events" in caplog.text and "rebuilding" in caplog.text
