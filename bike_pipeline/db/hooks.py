"""SQLAlchemy attribute hooks that turn the dump's date strings into date/datetime values.

As the client asked: a user of the models may assign the dump's own strings
(`Customer(date_of_birth="31-12-1990")`) and SQLAlchemy converts them on the way in,
right before the value reaches the object (and so the database). Values that already are
dates pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import InstrumentedAttribute

from bike_pipeline.db.dump_values import parse_dump_date, parse_dump_datetime
from bike_pipeline.db.models import Bike, Customer


def _convert_strings(attribute: InstrumentedAttribute[Any], parse: Callable[[str], Any]) -> None:
    @event.listens_for(attribute, "set", retval=True)
    def _on_set(target: object, value: Any, oldvalue: Any, initiator: object) -> Any:
        if isinstance(value, str):
            return parse(value) if value.strip() else None
        return value


_convert_strings(Customer.date_of_birth, parse_dump_date)
_convert_strings(Customer.registered_at, parse_dump_datetime)
_convert_strings(Bike.purchased_on, parse_dump_date)
