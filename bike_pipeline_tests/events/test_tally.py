"""The listener's counting core: repeats dropped, one summary per tick, running totals."""

from __future__ import annotations

from bike_pipeline.events.tally import EventTally


def _event(event_id: int, tick: int, event_type: str) -> dict:
    return {
        "event_id": event_id,
        "type": event_type,
        "tick": tick,
        "sim_time": f"2026-01-05T{tick // 3:02d}:{20 * (tick % 3):02d}:00+01:00",
        "customer_id": 1,
        "bike_id": None,
    }


def test_repeats_and_older_events_are_dropped() -> None:
    tally = EventTally()
    assert tally.add(_event(1, 0, "subscribed"))
    assert tally.add(_event(2, 0, "insured"))
    assert not tally.add(_event(2, 0, "insured"))
    assert not tally.add(_event(1, 0, "subscribed"))
    assert tally.totals == {"subscribed": 1, "insured": 1}
    assert (tally.repeats, tally.last_event_id) == (2, 2)


def test_a_tick_is_summarised_when_the_next_one_starts_with_totals_up_to_it() -> None:
    tally = EventTally()
    for event_id, tick, event_type in [
        (1, 0, "subscribed"),
        (2, 0, "subscribed"),
        (3, 0, "rented"),
    ]:
        tally.add(_event(event_id, tick, event_type))
    assert tally.take_summaries() == []

    tally.add(_event(4, 1, "dropped"))

    [summary] = tally.take_summaries()
    assert (summary.tick, summary.sim_time) == (0, "2026-01-05T00:00:00+01:00")
    assert summary.counts == {"subscribed": 2, "rented": 1}
    assert summary.totals == {"subscribed": 2, "rented": 1}
    assert tally.take_summaries() == []
    tally.flush()
    [last] = tally.take_summaries()
    assert (last.tick, last.counts) == (1, {"dropped": 1})
    assert last.totals == {"subscribed": 2, "rented": 1, "dropped": 1}


def test_summary_line_names_every_type_with_zeros() -> None:
    tally = EventTally()
    tally.add(_event(1, 3, "totalled"))
    tally.flush()
    [summary] = tally.take_summaries()
    assert summary.line() == (
        "tick 3 2026-01-05T01:00:00+01:00 | subscribed=0 insured=0 rented=0 dropped=0 "
        "repair_needed=0 totalled=1 rent_refused=0 rebalanced=0 | totals subscribed=0 "
        "insured=0 rented=0 dropped=0 repair_needed=0 totalled=1 rent_refused=0 rebalanced=0"
    )


def test_flush_without_events_gives_nothing() -> None:
    tally = EventTally(last_event_id=10)
    tally.flush()
    assert tally.take_summaries() == []
    assert not tally.add(_event(10, 0, "rented"))
