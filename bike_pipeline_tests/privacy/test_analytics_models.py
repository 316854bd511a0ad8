"""The engineer's models decrypt on the fly; the public ones see ciphertext; wrong keys fail."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bike_pipeline.privacy.analytics_models import AnalyticsCustomer
from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError
from bike_pipeline.privacy.public_models import PublicAnalyticsCustomer
from bike_pipeline.settings import PII_KEY_VAR


def _add(engine: sa.Engine, customer_id: int, city: str = "Utrecht") -> None:
    with Session(engine) as session, session.begin():
        session.add(
            AnalyticsCustomer(
                customer_id=customer_id,
                first_name="Jan",
                last_name="de Vries",
                bsn="012345672",
                iban="NL91ABNA0417164300",
                email="jan@example.nl",
                phone=None,
                date_of_birth=date(1990, 12, 31),
                street="Dorpsstraat",
                house_number="12A",
                postcode="3511 AB",
                city=city,
                registered_at=None,
                insured=False,
            )
        )


def test_the_engineer_reads_clear_values_including_dates(engine: sa.Engine) -> None:
    _add(engine, 1)
    with Session(engine) as session:
        row = session.get(AnalyticsCustomer, 1)
        assert row is not None
        assert (row.bsn, row.city, row.phone) == ("012345672", "Utrecht", None)
        assert row.date_of_birth == date(1990, 12, 31)


def test_the_public_models_see_ciphertext_different_for_equal_values(
    engine: sa.Engine,
) -> None:
    _add(engine, 1)
    _add(engine, 2)
    with Session(engine) as session:
        rows = session.scalars(sa.select(PublicAnalyticsCustomer)).all()
    assert {r.city for r in rows}.isdisjoint({"Utrecht"})
    assert rows[0].city != rows[1].city
    assert rows[0].bsn != rows[1].bsn and "012345672" not in rows[0].bsn
    assert rows[0].date_of_birth != "1990-12-31"
    assert PiiCipher(__import__("os").environ[PII_KEY_VAR]).decrypt(rows[0].city) == "Utrecht"


def test_reading_with_a_wrong_key_raises_an_error_saying_so(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(engine, 1)
    monkeypatch.setenv(PII_KEY_VAR, "not-the-key")
    with Session(engine) as session, pytest.raises(WrongPiiKeyError) as info:
        session.get(AnalyticsCustomer, 1)
    assert "analytics.customers." in str(info.value) and "not the key" in str(info.value)
    assert "012345672" not in str(info.value) and "not-the-key" not in str(info.value)
