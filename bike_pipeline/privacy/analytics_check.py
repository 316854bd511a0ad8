"""Verify `analytics.customers`: random-IV ciphertext that decrypts to core's values.

- No two stored ciphertexts of a column are equal, although many clear values are
  (cities, house numbers...): the IV is random, as the client asked.
- No stored value equals its clear value.
- Every row (or a sample of `sample` rows) decrypts under the key to the value in
  `core.customers`; a ciphertext that does not authenticate fails the check with a
  message saying the key is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from bike_pipeline.privacy.analytics_build import plaintext
from bike_pipeline.privacy.analytics_models import CUSTOMERS_TABLE, ENCRYPTED_COLUMNS
from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError


@dataclass
class AnalyticsCheckResult:
    rows: int
    core_rows: int
    equal_clear_values: int
    repeated_ciphertexts: dict[str, int] = field(default_factory=dict)
    clear_values_stored: int = 0
    decrypted: int = 0
    mismatches: int = 0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and self.rows == self.core_rows
            and not any(self.repeated_ciphertexts.values())
            and self.clear_values_stored == 0
            and self.mismatches == 0
        )


def check_analytics_customers(
    engine: sa.Engine, cipher: PiiCipher, sample: int | None = 2_000
) -> AnalyticsCheckResult:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT count(*) FROM {CUSTOMERS_TABLE}")).scalar_one()
        core_rows = conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one()
        equal_clear = sum(
            conn.execute(
                sa.text(f"SELECT count({c}) - count(DISTINCT {c}) FROM core.customers")
            ).scalar_one()
            for c in ENCRYPTED_COLUMNS
        )
        result = AnalyticsCheckResult(
            rows=rows, core_rows=core_rows, equal_clear_values=equal_clear
        )
        for column in ENCRYPTED_COLUMNS:
            result.repeated_ciphertexts[column] = conn.execute(
                sa.text(f"SELECT count({column}) - count(DISTINCT {column}) FROM {CUSTOMERS_TABLE}")
            ).scalar_one()
        result.clear_values_stored = conn.execute(
            sa.text(
                f"SELECT count(*) FROM {CUSTOMERS_TABLE} a "
                "JOIN core.customers c USING (customer_id) WHERE "
                + " OR ".join(f"a.{c} = c.{c}::text" for c in ENCRYPTED_COLUMNS)
            )
        ).scalar_one()
        limit = "" if sample is None else f"ORDER BY random() LIMIT {int(sample)}"
        columns = ", ".join(f"a.{c}, c.{c}" for c in ENCRYPTED_COLUMNS)
        pairs = conn.execute(
            sa.text(
                f"SELECT {columns} FROM {CUSTOMERS_TABLE} a "
                f"JOIN core.customers c USING (customer_id) {limit}"
            )
        )
        try:
            for row in pairs:
                result.decrypted += 1
                for i, column in enumerate(ENCRYPTED_COLUMNS):
                    stored, clear = row[2 * i], row[2 * i + 1]
                    if (
                        (stored is None) != (clear is None)
                        or stored is not None
                        and cipher.decrypt(stored, f"{CUSTOMERS_TABLE}.{column}")
                        != plaintext(clear)
                    ):
                        result.mismatches += 1
        except (WrongPiiKeyError, ValueError) as error:  # both name the column, not the value
            result.error = str(error)
    return result
