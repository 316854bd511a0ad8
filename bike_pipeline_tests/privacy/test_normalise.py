from bike_pipeline.privacy.normalise import (
    normalise_bsn,
    normalise_email,
    normalise_iban_text,
    normalise_name,
    normalise_phone,
)


def test_bsn_is_zero_padded_to_nine_digits() -> None:
    assert normalise_bsn(" 12345672 ") == "012345672"
    assert normalise_bsn("012345672") == "012345672"


def test_iban_loses_spaces_and_gets_upper_case() -> None:
    assert normalise_iban_text("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"


def test_email_is_stripped_and_lower_cased() -> None:
    assert normalise_email("  Jan.De.Vries@Example.NL ") == "jan.de.vries@example.nl"


def test_names_are_stripped_collapsed_and_case_folded() -> None:
    assert normalise_name("  De   VRIES ") == "de vries"
    assert normalise_name("Straße") == normalise_name("STRASSE")


def test_phone_keeps_digits_and_a_leading_plus() -> None:
    assert normalise_phone("06-1234 5678") == "0612345678"
    assert normalise_phone("+31 6 1234 5678") == "+31612345678"
