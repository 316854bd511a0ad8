import random
from datetime import date, timedelta

import sqlalchemy as sa

from bike_pipeline.privacy.quasi_identifiers import (
    age_band,
    age_band_sql,
    age_on,
    postcode_area,
)


def test_age_counts_full_years_and_leap_day_birthdays() -> None:
    assert age_on(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert age_on(date(2000, 6, 15), date(2026, 6, 15)) == 26
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_age_band_boundaries() -> None:
    on = date(2026, 1, 1)
    assert age_band(date(2009, 1, 2), on) == "<18"
    assert age_band(date(2008, 1, 1), on) == "18-24"
    assert age_band(date(2001, 1, 2), on) == "18-24"
    assert age_band(date(2001, 1, 1), on) == "25-34"
    assert age_band(date(1961, 1, 1), on) == "65+"


def test_postcode_area_keeps_the_four_digits() -> None:
    assert postcode_area("1234 AB") == "1234"


def test_sql_age_band_agrees_with_python(engine: sa.Engine) -> None:
    rng = random.Random(11)
    pairs = [
        (
            date(1940, 1, 1) + timedelta(days=rng.randrange(25_000)),
            date(2026, 1, 1) + timedelta(days=rng.randrange(400)),
        )
        for _ in range(2_000)
    ]
    pairs += [(date(2000, 2, 29), date(2018, 2, 28)), (date(2000, 2, 29), date(2018, 3, 1))]
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TEMPORARY TABLE pairs (i int, dob date, on_day date)"))
        conn.execute(
            sa.text("INSERT INTO pairs VALUES (:i, :dob, :on_day)"),
            [{"i": i, "dob": d, "on_day": o} for i, (d, o) in enumerate(pairs)],
        )
        sql_bands = (
            conn.execute(sa.text(f"SELECT {age_band_sql('dob', 'on_day')} FROM pairs ORDER BY i"))
            .scalars()
            .all()
        )
    assert sql_bands == [age_band(d, o) for d, o in pairs]
