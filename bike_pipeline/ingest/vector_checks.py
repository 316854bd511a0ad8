"""Vectorised versions of the dump's identifier rules, over pyarrow string arrays.

The scalar rules they mirror live in `bike_pipeline.ingest.identifiers` (the tests
compare both on the same inputs).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.ingest.fixed_width import digits, fixed_width
from bike_pipeline.ingest.identifiers import BSN_WEIGHTS
from bike_pipeline.ingest.verdicts import as_mask

INT4_MAX = 2**31 - 1
_POSTCODE = r"^([1-9][0-9]{3}) ?([A-Z]{2})$"
# ISO 7064 mod-97 of the rearranged Dutch IBAN: bank letters, account, "NL" as 2321, check
_TEN_DIGITS_MOD = 10**10 % 97
_FOUR_DIGITS_MOD = 10**4 % 97
_NL_AS_DIGITS = 2321


def trimmed(values: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(values)


def positive_int(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integers 1..2^31-1 written as plain digits."""
    shaped = as_mask(pc.match_substring_regex(values, r"^[0-9]{1,10}$"))
    numbers = pc.cast(pc.if_else(pa.array(shaped), values, "0"), pa.int64()).to_numpy()
    ok = shaped & (numbers > 0) & (numbers <= INT4_MAX)
    return numbers, ok


def bsn_passes(values: pa.Array) -> np.ndarray:
    """Nine digits, not all zeros, weighted sum divisible by 11 (`identifiers.is_valid_bsn`)."""
    matrix, has_width = fixed_width(values, 9, "000000000")
    numeric = matrix.astype(np.int64) - 48
    all_digits = ((numeric >= 0) & (numeric <= 9)).all(axis=1)
    checksum = numeric @ np.array(BSN_WEIGHTS, np.int64)
    return has_width & all_digits & (checksum % 11 == 0) & numeric.any(axis=1)


def normalised_iban(values: pa.Array) -> pa.Array:
    """Spaces out, upper case (`identifiers.normalise_iban`)."""
    return pc.ascii_upper(pc.replace_substring(values, " ", ""))


def iban_passes(normalised: pa.Array) -> np.ndarray:
    """`NL`, 2 check digits, 4 bank letters, 10 digits, mod-97 == 1 (`is_valid_iban`)."""
    matrix, has_width = fixed_width(normalised, 18, "NL00AAAA0000000000")
    check, check_ok = digits(matrix, 2, 4)
    account, account_ok = digits(matrix, 8, 18)
    letters = matrix[:, 4:8].astype(np.int64)
    letters_ok = ((letters >= 65) & (letters <= 90)).all(axis=1)
    remainder = np.zeros(len(matrix), np.int64)
    for position in range(4):
        remainder = (remainder * 100 + letters[:, position] - 55) % 97
    remainder = (remainder * _TEN_DIGITS_MOD + account % 97) % 97
    remainder = (remainder * _FOUR_DIGITS_MOD + _NL_AS_DIGITS) % 97
    remainder = (remainder * 100 + check) % 97
    country = (matrix[:, 0] == ord("N")) & (matrix[:, 1] == ord("L"))
    return has_width & country & check_ok & letters_ok & account_ok & (remainder == 1)


def normalised_postcode(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`1234AB`/`1234 ab` -> `1234 AB` (`identifiers.normalise_postcode`), with an ok mask."""
    upper = pc.ascii_upper(values)
    ok = as_mask(pc.match_substring_regex(upper, _POSTCODE))
    return pc.replace_substring_regex(upper, _POSTCODE, r"\1 \2"), ok
