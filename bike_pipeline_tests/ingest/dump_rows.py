"""Small valid dump rows for the ingestion tests, and a writer for CSV files of them."""

from __future__ import annotations

from pathlib import Path

CUSTOMER_HEADER = (
    "customer_id,first_name,last_name,bsn,iban,email,phone,date_of_birth,street,"
    "house_number,postcode,city,registered_at,insured"
)
BIKE_HEADER = (
    "bike_id,frame_number,model,purchased_on,purchase_price_eur,status,station,latitude,longitude"
)
VALID_BSNS = (
    "111222333",
    "123456782",
    "012345672",
    "100000009",
    "999999990",
    "200000007",
    "300000005",
    "400000003",
    "500000001",
)


def customer_row(customer_id: int, /, bsn: str | None = None, **fields: str) -> str:
    """A valid customers.csv row; keyword arguments replace single fields."""
    values = {
        "customer_id": str(customer_id),
        "first_name": "Anna",
        "last_name": "Visser",
        "bsn": bsn if bsn is not None else VALID_BSNS[(customer_id - 1) % len(VALID_BSNS)],
        "iban": "NL91ABNA0417164300",
        "email": "anna@example.nl",
        "phone": "0612345678",
        "date_of_birth": "15-06-1990",
        "street": "Dorpsstraat",
        "house_number": "12",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "registered_at": "01-03-2025 10:00:00",
        "insured": "no",
    }
    values.update(fields)
    return ",".join(values[name] for name in CUSTOMER_HEADER.split(","))


def bike_row(bike_id: int, /, **fields: str) -> str:
    """A valid bikes.csv row; keyword arguments replace single fields."""
    values = {
        "bike_id": str(bike_id),
        "frame_number": f"FR{bike_id:06d}",
        "model": "city",
        "purchased_on": "10-01-2024",
        "purchase_price_eur": "899.00",
        "status": "available",
        "station": "Utrecht Centraal",
        "latitude": "52.0894",
        "longitude": "5.1101",
    }
    values.update(fields)
    return ",".join(values[name] for name in BIKE_HEADER.split(","))


def write_dump(path: Path, header: str, rows: list[str], newline: str = "\n") -> Path:
    path.write_bytes((newline.join([header, *rows]) + newline).encode())
    return path
