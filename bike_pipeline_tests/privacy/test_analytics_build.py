import sqlalchemy as sa
from sqlalchemy.orm import Session

from bike_pipeline.privacy.analytics_build import fill_analytics_customers
from bike_pipeline.privacy.analytics_check import check_analytics_customers
from bike_pipeline.privacy.analytics_models import ENCRYPTED_COLUMNS, AnalyticsCustomer
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.public_models import PublicAnalyticsCustomer
from bike_pipeline.settings import PII_KEY_VAR
from bike_pipeline_tests.privacy.sample_data import insert_customers


def test_the_fill_encrypts_every_customer_and_the_engineer_reads_them_back(
    engine: sa.Engine, monkeypatch
) -> None:
    customers = insert_customers(engine, 30)
    key = "analytics-fill-key"
    monkeypatch.setenv(PII_KEY_VAR, key)

    assert fill_analytics_customers(engine, PiiCipher(key)) == 30

    with Session(engine) as session:
        clear = {r.customer_id: r for r in session.scalars(sa.select(AnalyticsCustomer))}
        stored = {r.customer_id: r for r in session.scalars(sa.select(PublicAnalyticsCustomer))}
    for c in customers:
        row, raw = clear[c.customer_id], stored[c.customer_id]
        for column in ENCRYPTED_COLUMNS:
            assert getattr(row, column) == getattr(c, column), column
            if getattr(c, column) is not None:
                assert getattr(raw, column) != str(getattr(c, column))
        assert (row.registered_at, row.insured) == (c.registered_at, c.insured)


def test_a_second_fill_replaces_the_rows_with_fresh_ciphertext(engine: sa.Engine) -> None:
    insert_customers(engine, 5)
    cipher = PiiCipher("k")
    fill_analytics_customers(engine, cipher)
    with engine.connect() as conn:
        first = (
            conn.execute(sa.text("SELECT bsn FROM analytics.customers ORDER BY 1")).scalars().all()
        )
    fill_analytics_customers(engine, cipher)
    with engine.connect() as conn:
        second = (
            conn.execute(sa.text("SELECT bsn FROM analytics.customers ORDER BY 1")).scalars().all()
        )
    assert len(second) == 5 and set(first).isdisjoint(second)


def test_the_check_passes_on_a_fill_and_fails_with_another_key(engine: sa.Engine) -> None:
    insert_customers(engine, 20)
    fill_analytics_customers(engine, PiiCipher("k"))

    good = check_analytics_customers(engine, PiiCipher("k"), sample=None)
    assert good.passed and good.decrypted == 20 and good.equal_clear_values > 0

    bad = check_analytics_customers(engine, PiiCipher("other"))
    assert not bad.passed and "not the key" in (bad.error or "")


def test_the_check_fails_on_a_repeated_or_clear_value(engine: sa.Engine) -> None:
    insert_customers(engine, 6)
    fill_analytics_customers(engine, PiiCipher("k"))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE analytics.customers SET city = "
                "(SELECT city FROM analytics.customers WHERE customer_id = 1)"
            )
        )
        conn.execute(
            sa.text(
                "UPDATE analytics.customers a SET bsn = c.bsn FROM core.customers c "
                "WHERE a.customer_id = c.customer_id AND c.customer_id = 2"
            )
        )
    result = check_analytics_customers(engine, PiiCipher("k"))
    assert result.repeated_ciphertexts["city"] == 5
    assert result.clear_values_stored == 1
    assert not result.passed
