"""Build `bi.events` and `analytics.customers` and run their checks: the one code path of the
Dagster assets `bi_events` / `analytics_customers` (and their blocking checks) and of
`bike-pipeline privacy build`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.roles import ensure_roles
from bike_pipeline.privacy.analytics_build import fill_analytics_customers
from bike_pipeline.privacy.analytics_check import AnalyticsCheckResult, check_analytics_customers
from bike_pipeline.privacy.bi_build import BiBuildResult, build_bi_events
from bike_pipeline.privacy.bi_scan import Finding, find_personal_values_in_bi
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.pseudonyms import Pseudonymiser


def build_bi(engine: sa.Engine, pseudonymiser: Pseudonymiser) -> BiBuildResult:
    """`bi.events` brought up to `core.events` (rebuilt on a key change), with the BI views
    and the roles' grants."""
    result = build_bi_events(engine, pseudonymiser)
    ensure_roles(engine)
    return result


def build_analytics(engine: sa.Engine, cipher: PiiCipher) -> int:
    """`analytics.customers` refreshed from `core.customers`, encrypted; rows written."""
    rows = fill_analytics_customers(engine, cipher)
    ensure_roles(engine)
    return rows


@dataclass(frozen=True)
class PrivacyBuild:
    bi: BiBuildResult
    bi_findings: list[Finding]
    analytics_rows: int
    analytics_check: AnalyticsCheckResult

    @property
    def passed(self) -> bool:
        return not self.bi_findings and self.analytics_check.passed


def build_privacy_tables(
    engine: sa.Engine, pseudonymiser: Pseudonymiser, cipher: PiiCipher
) -> PrivacyBuild:
    """Both tables, each followed by the check the Dagster asset's blocking check runs."""
    bi = build_bi(engine, pseudonymiser)
    findings = find_personal_values_in_bi(engine)
    rows = build_analytics(engine, cipher)
    return PrivacyBuild(bi, findings, rows, check_analytics_customers(engine, cipher))
