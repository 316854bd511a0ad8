"""The rules of bikes.csv (CONTRACT section 1), vectorised over a block."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.constants import DUMP_BIKE_STATUSES
from bike_pipeline.db.models import BIKE_MODELS, LATITUDE_RANGE, LONGITUDE_RANGE
from bike_pipeline.ingest import text_rules as rules
from bike_pipeline.ingest.vector_checks import trimmed
from bike_pipeline.ingest.vector_dates import dump_dates
from bike_pipeline.ingest.verdicts import Verdicts

_DECIMAL = r"^-?[0-9]{1,3}(\.[0-9]{1,12})?$"
_PRICE = r"^[0-9]{1,8}\.[0-9]{2}$"


def _coordinate(
    verdicts: Verdicts, values: pa.Array, column: str, bounds: tuple[float, float]
) -> None:
    ok = rules.matches(verdicts, values, _DECIMAL, f"{column}: not a decimal number")
    number = pc.cast(pc.if_else(pa.array(ok), values, "0"), pa.float64())
    outside = pc.or_(pc.less(number, bounds[0]), pc.greater(number, bounds[1]))
    verdicts.fail(
        pc.and_(pa.array(ok), outside),
        f"{column}: outside the Netherlands ({bounds[0]}-{bounds[1]})",
    )


def validate_bikes(raw: pa.Table, verdicts: Verdicts) -> pa.Table:
    """Typed bike rows in table column order; `verdicts` gets each broken rule."""
    col = {name: trimmed(raw.column(name).combine_chunks()) for name in raw.column_names}
    bike_id = rules.identifier(verdicts, col["bike_id"], "bike_id")
    rules.required_text(verdicts, col["frame_number"], "frame_number", 64)
    rules.one_of(verdicts, col["model"], "model", BIKE_MODELS)
    purchased_on = dump_dates(col["purchased_on"])
    verdicts.fail(~purchased_on.ok, "purchased_on: not a DD-MM-YYYY date")
    rules.matches(
        verdicts, col["purchase_price_eur"], _PRICE, "purchase_price_eur: not like 1299.00"
    )
    rules.one_of(verdicts, col["status"], "status", DUMP_BIKE_STATUSES)
    rules.required_text(verdicts, col["station"], "station", 100)
    _coordinate(verdicts, col["latitude"], "latitude", LATITUDE_RANGE)
    _coordinate(verdicts, col["longitude"], "longitude", LONGITUDE_RANGE)
    return pa.table(
        {
            "bike_id": bike_id,
            "frame_number": col["frame_number"],
            "model": col["model"],
            "purchased_on": purchased_on.values,
            "purchase_price_eur": col["purchase_price_eur"],
            "status": col["status"],
            "station": col["station"],
            "latitude": col["latitude"],
            "longitude": col["longitude"],
        }
    )
