import pytest
from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine

from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError


def _engine(key: str) -> AesGcmEngine:
    engine = AesGcmEngine()
    engine._update_key(key)
    return engine


def test_the_bulk_cipher_and_sqlalchemy_utils_read_each_other() -> None:
    cipher = PiiCipher("k1")
    assert _engine("k1").decrypt(cipher.encrypt("Jan de Vries")) == "Jan de Vries"
    assert cipher.decrypt(_engine("k1").encrypt("1990-12-31")) == "1990-12-31"


def test_equal_values_encrypt_differently() -> None:
    cipher = PiiCipher("k1")
    tokens = {cipher.encrypt("Utrecht") for _ in range(50)}
    assert len(tokens) == 50
    assert all(cipher.decrypt(t) == "Utrecht" for t in tokens)


def test_a_wrong_key_is_a_clear_error_naming_the_place_not_the_value() -> None:
    token = PiiCipher("k1").encrypt("012345672")
    with pytest.raises(
        WrongPiiKeyError, match="analytics.customers.bsn.*BIKE_PIPELINE_PII_KEY"
    ) as info:
        PiiCipher("k2").decrypt(token, "analytics.customers.bsn")
    assert "012345672" not in str(info.value)


def test_text_that_is_no_ciphertext_is_named_so() -> None:
    with pytest.raises(ValueError, match="not an AES-GCM ciphertext"):
        PiiCipher("k1").decrypt("Jan de Vries", "analytics.customers.first_name")
    with pytest.raises(WrongPiiKeyError):
        PiiCipher("k1").decrypt("c2hvcnQ=")


def test_a_row_of_values_is_encrypted_with_distinct_ivs_and_nulls_kept() -> None:
    cipher = PiiCipher("k1")
    tokens = cipher.encrypt_values(["Utrecht", None, "Utrecht", "1990-12-31"])
    assert tokens[1] is None
    assert tokens[0] != tokens[2]
    assert [_engine("k1").decrypt(t) for t in (tokens[0], tokens[2], tokens[3])] == [
        "Utrecht",
        "Utrecht",
        "1990-12-31",
    ]
