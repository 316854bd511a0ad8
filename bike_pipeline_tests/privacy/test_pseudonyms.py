import hashlib
import hmac

import pytest

from bike_pipeline.privacy.pseudonyms import Pseudonymiser

KEY = "a-test-key-with-enough-entropy-for-this-test"


def test_a_pseudonym_is_the_hmac_sha256_of_the_labelled_normal_form() -> None:
    expected = hmac.new(KEY.encode(), b"bsn:012345672", hashlib.sha256).hexdigest()
    assert Pseudonymiser(KEY).bsn("12345672") == expected


def test_the_same_person_gets_the_same_pseudonym_whatever_the_spelling() -> None:
    p = Pseudonymiser(KEY)
    assert p.bsn("12345672") == p.bsn("012345672")
    assert p.iban("nl91 abna 0417 1643 00") == p.iban("NL91ABNA0417164300")
    assert p.email(" Jan@Example.nl") == p.email("jan@example.nl")
    assert p.name(" Jan ", "de  Vries") == p.name("JAN", "De Vries")


def test_a_pseudonym_is_no_plain_hash_of_the_value() -> None:
    p = Pseudonymiser(KEY)
    for unkeyed in (
        hashlib.sha256(b"012345672").hexdigest(),
        hashlib.md5(b"012345672").hexdigest(),
    ):
        assert p.bsn("012345672") != unkeyed


def test_another_key_gives_other_pseudonyms_and_another_key_version() -> None:
    a, b = Pseudonymiser(KEY), Pseudonymiser(KEY + "x")
    assert a.bsn("012345672") != b.bsn("012345672")
    assert a.customer(1) != b.customer(1)
    assert a.key_version != b.key_version
    assert len(a.key_version) == 8 and a.key_version not in KEY


def test_fields_are_separated_by_their_label() -> None:
    p = Pseudonymiser(KEY)
    assert p.customer(12345672) != p.bsn("12345672").lstrip("0")
    assert p.email("x") != p.iban("X")


def test_no_phone_gives_no_pseudonym() -> None:
    p = Pseudonymiser(KEY)
    assert p.phone(None) is None and p.phone("  ") is None
    assert p.phone("06-12345678") == p.phone("0612345678")


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="BIKE_PIPELINE_PSEUDONYM_KEY"):
        Pseudonymiser("")


@pytest.mark.parametrize("key", ["k", "x" * 64, "a much longer key " * 8, "sleutel-ü"])
def test_the_precomputed_hmac_equals_the_standard_library_for_every_key_length(key: str) -> None:
    expected = hmac.new(key.encode(), b"email:jan@example.nl", hashlib.sha256).hexdigest()
    assert Pseudonymiser(key).email("Jan@Example.nl") == expected
