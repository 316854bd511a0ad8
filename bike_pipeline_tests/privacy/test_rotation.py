import pytest
import sqlalchemy as sa

from bike_pipeline.privacy.analytics_build import fill_analytics_customers
from bike_pipeline.privacy.analytics_check import check_analytics_customers
from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError
from bike_pipeline.privacy.rotation import rotate_pii_key
from bike_pipeline_tests.privacy.sample_data import insert_customers


def _stored(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(sa.text("SELECT * FROM analytics.customers ORDER BY 1"))
        ]


def test_rotation_re_encrypts_every_value_under_the_new_key(engine: sa.Engine) -> None:
    insert_customers(engine, 15)
    old, new = PiiCipher("old"), PiiCipher("new")
    fill_analytics_customers(engine, old)
    before = _stored(engine)

    assert rotate_pii_key(engine, old, new) == 15

    assert check_analytics_customers(engine, new, sample=None).passed
    assert check_analytics_customers(engine, old).error is not None
    after = _stored(engine)
    assert all(b[1] != a[1] for b, a in zip(before, after, strict=True))


def test_a_wrong_old_key_changes_nothing(engine: sa.Engine) -> None:
    insert_customers(engine, 5)
    fill_analytics_customers(engine, PiiCipher("old"))
    before = _stored(engine)

    with pytest.raises(WrongPiiKeyError):
        rotate_pii_key(engine, PiiCipher("guess"), PiiCipher("new"))

    assert _stored(engine) == before


def test_a_row_under_another_key_rolls_the_whole_rotation_back(engine: sa.Engine) -> None:
    insert_customers(engine, 5)
    fill_analytics_customers(engine, PiiCipher("old"))
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE analytics.customers SET city = :c WHERE customer_id = 5"),
            {"c": PiiCipher("stray").encrypt("Utrecht")},
        )
    before = _stored(engine)

    with pytest.raises(WrongPiiKeyError, match="analytics.customers.city"):
        rotate_pii_key(engine, PiiCipher("old"), PiiCipher("new"))

    assert _stored(engine) == before
