import json

import pytest
import redis

from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline_tests.privacy.sample_data import make_customers
from bike_pipeline_tests.privacy_scan import (
    PersonalValues,
    assert_no_personal_values,
    find_personal_values,
    redis_text,
)

CUSTOMERS = make_customers(20)
VALUES = PersonalValues.from_customers(CUSTOMERS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"rented by {CUSTOMERS[3].email.upper()}", "email"),
        (f"bsn={CUSTOMERS[4].bsn};", "bsn"),
        (f"{CUSTOMERS[5].first_name} {CUSTOMERS[5].last_name} rode", "full_name"),
        (f"born {CUSTOMERS[6].date_of_birth:%d-%m-%Y}", "date_of_birth_dump"),
    ],
    ids=["email", "bsn", "full_name", "date_of_birth"],  # test ids hold no personal value
)
def test_a_personal_value_is_found_and_named_without_its_value(text: str, kind: str) -> None:
    with pytest.raises(AssertionError) as info:
        assert_no_personal_values(text, VALUES, where="a log line")
    message = str(info.value)
    assert kind in message and "a log line" in message
    assert text.split()[-1].strip(";") not in message


def test_ids_pseudonyms_and_event_payloads_are_no_false_alarm() -> None:
    p = Pseudonymiser("k")
    payload = json.dumps(
        [
            {"event_id": i, "customer_id": c.customer_id, "who": p.bsn(c.bsn)}
            for i, c in enumerate(CUSTOMERS)
        ]
    )
    assert find_personal_values(payload, VALUES) == []


def test_redis_content_is_gathered_from_every_kind_of_key(redis_client: redis.Redis) -> None:
    redis_client.xadd("bike_pipeline.events", {"payload": json.dumps({"iban": CUSTOMERS[1].iban})})
    redis_client.hset("h", "k", "fine")
    redis_client.rpush("l", "also fine")
    text = redis_text(redis_client)
    assert "also fine" in text
    found = find_personal_values(text, VALUES)
    assert len(found) == 1 and found[0].startswith("iban of customer 2 at word ")


def test_values_of_several_words_match_as_consecutive_words_only() -> None:
    c = CUSTOMERS[7]
    assert find_personal_values(f"Street: {c.street.upper()}  {c.house_number}.", VALUES)
    assert find_personal_values(f"{c.postcode.replace(' ', '')}", VALUES)
    assert not find_personal_values(f"{c.first_name} and then {c.last_name}s", VALUES)


def test_a_value_at_the_very_end_is_reported_once() -> None:
    assert len(find_personal_values(f"x {CUSTOMERS[2].iban}", VALUES)) == 1


def test_a_long_text_without_values_finds_nothing_among_thousands_of_customers() -> None:
    many = PersonalValues.from_customers(make_customers(1_000, seed=5))
    assert find_personal_values("x " * 50_000, many) == []
