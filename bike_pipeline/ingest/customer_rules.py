"""The rules of customers.csv (CONTRACT section 1), vectorised over a block."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.constants import AMSTERDAM, MINIMUM_AGE
from bike_pipeline.ingest import text_rules as rules
from bike_pipeline.ingest.vector_checks import (
    bsn_passes,
    iban_passes,
    normalised_iban,
    normalised_postcode,
    trimmed,
)
from bike_pipeline.ingest.vector_dates import dump_dates, dump_datetimes
from bike_pipeline.ingest.verdicts import Verdicts, as_mask

EARLIEST_BIRTH_DAY = 1900_01_01  # YYYYMMDD


def _today() -> int:
    """Today in Europe/Amsterdam as YYYYMMDD: a birth date after it is in the future."""
    return int(datetime.now(AMSTERDAM).strftime("%Y%m%d"))


def validate_customers(raw: pa.Table, verdicts: Verdicts) -> pa.Table:
    """Typed customer rows in table column order; `verdicts` gets each broken rule."""
    col = {name: trimmed(raw.column(name).combine_chunks()) for name in raw.column_names}
    customer_id = rules.identifier(verdicts, col["customer_id"], "customer_id")
    rules.required_text(verdicts, col["first_name"], "first_name", 100)
    rules.required_text(verdicts, col["last_name"], "last_name", 100)
    verdicts.fail(~bsn_passes(col["bsn"]), "bsn: not 9 digits passing the 11-check")
    iban = normalised_iban(col["iban"])
    verdicts.fail(~iban_passes(iban), "iban: not a Dutch IBAN passing mod-97")
    verdicts.fail(pc.not_equal(pc.count_substring(col["email"], "@"), 1), "email: not one @")
    rules.optional_text(verdicts, col["email"], "email", 254)
    rules.optional_text(verdicts, col["phone"], "phone", 32)
    birth = dump_dates(col["date_of_birth"])
    verdicts.fail(~birth.ok, "date_of_birth: not a DD-MM-YYYY date")
    verdicts.fail(birth.local_day > _today(), "date_of_birth: in the future")
    verdicts.fail(birth.local_day < EARLIEST_BIRTH_DAY, "date_of_birth: before 1900")
    rules.required_text(verdicts, col["street"], "street", 200)
    rules.required_text(verdicts, col["house_number"], "house_number", 20)
    rules.matches(
        verdicts, col["house_number"], r"^[1-9][0-9]*", "house_number: does not start with a number"
    )
    postcode, postcode_ok = normalised_postcode(col["postcode"])
    verdicts.fail(~postcode_ok, "postcode: not a Dutch postcode (1234 AB)")
    rules.required_text(verdicts, col["city"], "city", 100)

    registered_given = as_mask(pc.not_equal(col["registered_at"], ""))
    registered = dump_datetimes(col["registered_at"])
    verdicts.fail(
        registered_given & ~registered.ok, "registered_at: not a DD-MM-YYYY HH:MM:SS datetime"
    )
    old_enough = birth.local_day + MINIMUM_AGE * 10000 <= registered.local_day
    verdicts.fail(
        registered_given & ~old_enough, f"date_of_birth: younger than {MINIMUM_AGE} at registration"
    )
    rules.one_of(verdicts, col["insured"], "insured", ("yes", "no", ""))
    insured = as_mask(pc.equal(col["insured"], "yes"))
    verdicts.fail(insured & ~registered_given, "insured: yes without registered_at")

    return pa.table(
        {
            "customer_id": customer_id,
            "first_name": col["first_name"],
            "last_name": col["last_name"],
            "bsn": col["bsn"],
            "iban": iban,
            "email": col["email"],
            "phone": pc.if_else(pc.equal(col["phone"], ""), None, col["phone"]),
            "date_of_birth": birth.values,
            "street": col["street"],
            "house_number": col["house_number"],
            "postcode": postcode,
            "city": col["city"],
            "registered_at": pc.if_else(pa.array(registered_given), registered.values, None),
            "insured": pa.array(insured),
        }
    )
