"""`bike-pipeline keys rotate`: one transaction, keys from the environment, never printed."""

import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.cli.keys import NEW_PII_KEY_VAR
from bike_pipeline.privacy.analytics_build import fill_analytics_customers
from bike_pipeline.privacy.analytics_check import check_analytics_customers
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.settings import HOME_VAR, PII_KEY_VAR, Settings, secret_key
from bike_pipeline_tests.privacy.sample_data import insert_customers

OLD, NEW = "old-key-for-the-cli-test", "new-key-for-the-cli-test"


def _stored(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT * FROM analytics.customers"))]


@pytest.fixture
def filled(engine: sa.Engine) -> sa.Engine:
    insert_customers(engine, 6)
    fill_analytics_customers(engine, PiiCipher(OLD))
    return engine


def test_rotate_re_encrypts_under_the_new_key_without_printing_keys(filled: sa.Engine) -> None:
    result = CliRunner().invoke(
        main, ["keys", "rotate"], env={PII_KEY_VAR: OLD, NEW_PII_KEY_VAR: NEW}
    )

    assert result.exit_code == 0, result.output
    assert "6 rows re-encrypted" in result.output
    assert OLD not in result.output and NEW not in result.output
    assert check_analytics_customers(filled, PiiCipher(NEW), sample=None).passed


def test_a_wrong_old_key_fails_with_exit_1_and_changes_nothing(filled: sa.Engine) -> None:
    before = _stored(filled)

    result = CliRunner().invoke(
        main, ["keys", "rotate"], env={PII_KEY_VAR: "a-guess", NEW_PII_KEY_VAR: NEW}
    )

    assert result.exit_code == 1
    assert "not the key" in result.output and "nothing was changed" in result.output
    assert "a-guess" not in result.output
    assert _stored(filled) == before


def test_the_same_key_twice_is_bad_usage(filled: sa.Engine) -> None:
    result = CliRunner().invoke(
        main, ["keys", "rotate"], env={PII_KEY_VAR: OLD, NEW_PII_KEY_VAR: OLD}
    )
    assert result.exit_code == 2


def test_with_the_development_key_the_key_file_gets_the_new_key(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_VAR, str(tmp_path))
    monkeypatch.delenv(PII_KEY_VAR)
    development = secret_key(PII_KEY_VAR, Settings.from_env())
    insert_customers(engine, 3)
    fill_analytics_customers(engine, PiiCipher(development))

    result = CliRunner().invoke(main, ["keys", "rotate"], env={NEW_PII_KEY_VAR: NEW})

    assert result.exit_code == 0, result.output
    key_file = tmp_path / "keys" / "pii_key.key"
    assert key_file.read_text() == NEW
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert secret_key(PII_KEY_VAR, Settings.from_env()) == NEW
    assert check_analytics_customers(engine, PiiCipher(NEW), sample=None).passed
