import sqlalchemy as sa
from sqlalchemy.orm import Session

from bike_pipeline.db.dump_values import AMSTERDAM
from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.privacy.bi_models import BiEvent
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.privacy.quasi_identifiers import age_band
from bike_pipeline_tests.privacy.sample_data import (
    EventSpec,
    insert_customers,
    insert_events,
    mixed_events,
)

KEY = "bi-test-key"


def _bi_rows(engine: sa.Engine) -> list[BiEvent]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(BiEvent).order_by(BiEvent.event_id)))


def test_every_event_arrives_with_keyed_pseudonyms_and_coarse_values(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 12)
    specs = mixed_events(customers, 60)
    insert_events(engine, specs)
    p = Pseudonymiser(KEY)

    result = build_bi_events(engine, p)

    assert (result.added, result.total, result.rebuilt) == (60, 60, False)
    by_id = {c.customer_id: c for c in customers}
    rows = _bi_rows(engine)
    assert [r.event_id for r in rows] == list(range(1, 61))
    for row, spec in zip(rows, specs, strict=True):
        c = by_id[spec.customer_id]
        assert row.type == spec.type and row.tick == spec.tick
        assert row.customer_pseudonym == p.customer(c.customer_id)
        assert row.bsn_pseudonym == p.bsn(c.bsn)
        assert row.iban_pseudonym == p.iban(c.iban)
        assert row.email_pseudonym == p.email(c.email)
        assert row.name_pseudonym == p.name(c.first_name, c.last_name)
        assert row.phone_pseudonym == p.phone(c.phone)
        assert row.age_band == age_band(c.date_of_birth, row.sim_time.astimezone(AMSTERDAM).date())
        assert row.postcode_area == c.postcode[:4]
        assert row.key_version == p.key_version
        if spec.type == "dropped":
            assert row.data == {"rental_id": row.rental_id, "minutes_held": 40}


def test_a_rerun_adds_nothing_and_a_later_build_only_the_new_events(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 5)
    insert_events(engine, mixed_events(customers, 20))
    p = Pseudonymiser(KEY)
    build_bi_events(engine, p)

    assert build_bi_events(engine, p).added == 0

    insert_events(engine, [EventSpec("rented", customers[0].customer_id, 50)], first_event_id=21)
    result = build_bi_events(engine, p)
    assert (result.added, result.total) == (1, 21)
    assert [r.event_id for r in _bi_rows(engine)] == list(range(1, 22))


def test_a_new_pseudonym_key_rebuilds_every_row_under_it(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 4)
    insert_events(engine, mixed_events(customers, 10))
    build_bi_events(engine, Pseudonymiser(KEY))
    rotated = Pseudonymiser(KEY + "-2026")

    result = build_bi_events(engine, rotated)

    assert (result.added, result.total, result.rebuilt) == (10, 10, True)
    rows = _bi_rows(engine)
    assert {r.key_version for r in rows} == {rotated.key_version}
    by_id = {c.customer_id: c for c in customers}
    assert {r.customer_pseudonym for r in rows} <= {rotated.customer(i) for i in by_id}


def test_the_bi_views_count_the_events(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 3)
    a, b = customers[0].customer_id, customers[1].customer_id
    # ticks 0-2 fall on 2026-03-02 07:00-07:40 Amsterdam; tick 72 on the next day, 07:00.
    specs = [
        EventSpec("rented", a, 0),
        EventSpec("rented", a, 1),
        EventSpec("rented", b, 2),
        EventSpec("rent_refused", b, 2),
        EventSpec("subscribed", b, 72),
    ]
    insert_events(engine, specs)
    p = Pseudonymiser(KEY)
    build_bi_events(engine, p)

    with engine.connect() as conn:
        per_day = conn.execute(
            sa.text("SELECT day::text, type, events FROM bi.events_per_type_per_day ORDER BY 1, 2")
        ).all()
        per_hour = conn.execute(sa.text("SELECT * FROM bi.rentals_per_hour_of_day")).all()
        riders = conn.execute(
            sa.text("SELECT customer_pseudonym, rentals, rank FROM bi.top_riders ORDER BY rank")
        ).all()
        busiest = conn.execute(
            sa.text(
                "SELECT day::text, events, rentals, refused, rank "
                "FROM bi.busiest_days ORDER BY rank"
            )
        ).all()
    assert per_day == [
        ("2026-03-02", "rent_refused", 1),
        ("2026-03-02", "rented", 3),
        ("2026-03-03", "subscribed", 1),
    ]
    assert per_hour == [(7, 3)]
    assert riders == [(p.customer(a), 2, 1), (p.customer(b), 1, 2)]
    assert busiest == [("2026-03-02", 4, 3, 1, 1), ("2026-03-03", 1, 0, 0, 2)]


def test_a_rewritten_core_events_table_rebuilds_bi(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 6)
    insert_events(engine, mixed_events(customers, 12, seed=1))
    p = Pseudonymiser(KEY)
    build_bi_events(engine, p)
    with engine.begin() as conn:  # what the simulation's reset does
        conn.execute(sa.text("TRUNCATE core.event_outbox, core.events, core.rentals"))
    insert_events(engine, mixed_events(customers, 15, seed=2))

    result = build_bi_events(engine, p)

    assert (result.added, result.total, result.rebuilt) == (15, 15, True)
    with engine.connect() as conn:
        core = conn.execute(
            sa.text("SELECT event_id, type, customer_id FROM core.events ORDER BY 1")
        ).all()
    assert [(r.event_id, r.type, r.customer_pseudonym) for r in _bi_rows(engine)] == [
        (e, t, p.customer(c)) for e, t, c in core
    ]


def test_the_same_events_written_again_are_kept(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 6)
    insert_events(engine, mixed_events(customers, 12, seed=1))
    p = Pseudonymiser(KEY)
    build_bi_events(engine, p)
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE core.event_outbox, core.events, core.rentals"))
    insert_events(engine, mixed_events(customers, 12, seed=1))

    result = build_bi_events(engine, p)

    assert (result.added, result.total, result.rebuilt) == (0, 12, False)


def test_the_same_count_with_another_customer_is_a_rewrite(engine: sa.Engine) -> None:
    customers = insert_customers(engine, 3)
    first, other = customers[0].customer_id, customers[1].customer_id
    insert_events(engine, [EventSpec("subscribed", first, 0)])
    p = Pseudonymiser(KEY)
    build_bi_events(engine, p)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE core.events SET customer_id = :c"), {"c": other})

    result = build_bi_events(engine, p)

    assert result.rebuilt
    assert [r.customer_pseudonym for r in _bi_rows(engine)] == [p.customer(other)]
