"""Blocking checks: nothing personal in `bi`, sound ciphertext in `analytics`; each can
also run alone (its Execute button, or the `check_privacy` job)."""

from __future__ import annotations

import dagster as dg

from bike_pipeline.defs.privacy.assets import analytics_customers, bi_events
from bike_pipeline.defs.privacy.resources import PrivacyKeysResource
from bike_pipeline.defs.resources import PostgresResource


@dg.asset_check(
    asset=bi_events,
    blocking=True,
    description="No clear personal value of core.customers, and no plain SHA-2/MD5 of a "
    "BSN, IBAN or e-mail, appears in any table or view of bi.",
)
def bi_has_no_personal_values(postgres: PostgresResource) -> dg.AssetCheckResult:
    from bike_pipeline.privacy.bi_scan import find_personal_values_in_bi

    findings = find_personal_values_in_bi(postgres.engine())
    return dg.AssetCheckResult(
        passed=not findings,
        description=f"{len(findings)} personal values found in bi" if findings else None,
        metadata={"findings": dg.MetadataValue.json([str(f) for f in findings])},
    )


@dg.asset_check(
    asset=analytics_customers,
    blocking=True,
    description="Ciphertexts differ for equal values (random IV), none equals its clear "
    "value, and they decrypt with the key to core.customers' values.",
)
def analytics_ciphertext_is_sound(
    postgres: PostgresResource, privacy_keys: PrivacyKeysResource
) -> dg.AssetCheckResult:
    from bike_pipeline.privacy.analytics_check import check_analytics_customers

    result = check_analytics_customers(postgres.engine(), privacy_keys.cipher())
    return dg.AssetCheckResult(
        passed=result.passed,
        description=None if result.passed else "analytics.customers is not sound: see metadata",
        metadata={
            "rows": result.rows,
            "core_rows": result.core_rows,
            "equal_clear_values": result.equal_clear_values,
            "repeated_ciphertexts": dg.MetadataValue.json(result.repeated_ciphertexts),
            "clear_values_stored": result.clear_values_stored,
            "rows_decrypted": result.decrypted,
            "mismatches": result.mismatches,
            "error": result.error or "",
        },
    )


check_privacy = dg.define_asset_job(
    "check_privacy",
    selection=dg.AssetSelection.checks_for_assets(bi_events, analytics_customers),
    description="Run the privacy checks of bi.events and analytics.customers alone.",
)
