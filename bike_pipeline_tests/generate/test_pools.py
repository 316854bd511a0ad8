import csv
import io

from bike_pipeline.generate.pools import PhoneFormat, ValuePools, email_slug


def test_email_slug_keeps_the_ascii_core() -> None:
    assert email_slug("Aimée") == "aimee"
    assert email_slug("van 't Erve") == "vanterve"


def test_phone_format_fills_digit_runs() -> None:
    phone_format = PhoneFormat.parse("+31(0)## #######")
    assert phone_format.run_lengths == (2, 7)
    assert phone_format.template % (20, 1234567) == "+31(0)20 1234567"


def test_pools_are_field_texts_and_some_need_quoting() -> None:
    pools = ValuePools.draw(seed=3)
    for pool in (pools.first_name_fields, pools.last_name_fields, pools.street_fields):
        values = [next(csv.reader(io.StringIO(text))) for text in pool.tolist()]
        assert all(len(v) == 1 and v[0] for v in values)
    assert any('"' in text for text in pools.first_name_fields.tolist())
    assert any("," in text for text in pools.street_fields.tolist())


def test_same_seed_same_pools() -> None:
    first, second = ValuePools.draw(seed=9), ValuePools.draw(seed=9)
    assert first.last_name_fields.tolist() == second.last_name_fields.tolist()
    assert first.street_fields.tolist() == second.street_fields.tolist()
