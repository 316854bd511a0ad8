"""The bad bike rows a real export contains, each breaking one rule of bikes.csv."""

from __future__ import annotations

from bike_pipeline.generate.defects import (
    DefectKind,
    Earlier,
    Row,
    bad_date_format,
    duplicate,
    extra_field,
    impossible_date,
    invalid_utf8,
    missing_required,
    non_numeric_id,
    nonpositive_id,
    short_row,
)


def _bad_price(row: Row, earlier: Earlier) -> str:
    """Dutch decimal comma, thousands dots, a currency sign, missing or single decimals."""
    euros, cents = row.value("purchase_price_eur").split(".")
    dutch = f"{euros[:-3]}.{euros[-3:]}" if len(euros) > 3 else euros
    styles = (f"{dutch},{cents}", euros, f"€ {euros}.{cents}", f"{euros}.{cents[0]}", f"{euros},-")
    row.set("purchase_price_eur", row.pick(styles))
    return "purchase_price_eur"


def _unknown_model(row: Row, earlier: Earlier) -> str:
    row.set("model", row.pick(("racefiets", "mountainbike", "bakfiets", "tandem", "speed pedelec")))
    return "model"


def _unknown_status(row: Row, earlier: Earlier) -> str:
    row.set("status", row.pick(("gestolen", "stolen", "verhuurd", "lost", "broken")))
    return "status"


def _outside_netherlands(row: Row, earlier: Earlier) -> str:
    """Latitude and longitude swapped, a null island, or a bike abroad (Paris, Berlin)."""
    latitude, longitude = row.value("latitude"), row.value("longitude")
    places = ((longitude, latitude), ("0.000000", "0.000000"), ("48.856600", "2.352200"))
    latitude, longitude = row.pick((*places, ("52.520000", "13.405000")))
    row.set("latitude", latitude)
    row.set("longitude", longitude)
    return "latitude" if not 50.75 <= float(latitude) <= 53.70 else "longitude"


BIKE_DEFECT_KINDS = (
    short_row(),
    extra_field("station", ("fietsenstalling", "achterzijde", "perron 1")),
    non_numeric_id("bike_id", "B"),
    nonpositive_id("bike_id"),
    bad_date_format("purchased_on"),
    impossible_date("purchased_on"),
    DefectKind("bad_price", _bad_price),
    DefectKind("unknown_model", _unknown_model),
    DefectKind("unknown_status", _unknown_status),
    DefectKind("outside_netherlands", _outside_netherlands),
    missing_required(("frame_number", "station")),
    duplicate("duplicate_id", "bike_id"),
    duplicate("duplicate_frame_number", "frame_number"),
    invalid_utf8(("station",)),
)
