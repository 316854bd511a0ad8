"""`bike-pipeline privacy build`: `bi.events` and `analytics.customers` from a shell.

The same code and checks as the Dagster assets `bi_events` and `analytics_customers`
(`bike_pipeline.privacy.build`). A failed check is exit 1, naming what failed, never a value.
"""

from __future__ import annotations

import click

from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.privacy.build import build_privacy_tables
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.settings import PII_KEY_VAR, PSEUDONYM_KEY_VAR, Settings, secret_key


@click.group()
def privacy() -> None:
    """The pseudonymised (bi) and encrypted (analytics) copies of the data."""


@privacy.command()
def build() -> None:
    """(Re)build bi.events and analytics.customers from core.* and run their checks."""
    settings = Settings.from_env()
    engine = app_engine(settings)
    result = build_privacy_tables(
        engine,
        Pseudonymiser(secret_key(PSEUDONYM_KEY_VAR, settings)),
        PiiCipher(secret_key(PII_KEY_VAR, settings)),
    )
    rebuilt = " (rebuilt after a key change)" if result.bi.rebuilt else ""
    click.echo(f"bi.events            {result.bi.added} added, {result.bi.total} in total{rebuilt}")
    click.echo(f"analytics.customers  {result.analytics_rows} rows")
    failures = [f"bi: {finding}" for finding in result.bi_findings]
    check = result.analytics_check
    if not check.passed:
        failures.append(
            f"analytics.customers: {check.rows} rows for {check.core_rows} customers, "
            f"{sum(check.repeated_ciphertexts.values())} repeated ciphertexts, "
            f"{check.clear_values_stored} clear values, {check.mismatches} mismatches"
            + (f", {check.error}" if check.error else "")
        )
    if failures:
        raise click.ClickException("privacy checks failed: " + "; ".join(failures))
    click.echo("checks               no personal value in bi; analytics ciphertext sound")
