"""Dutch identifiers of the dump: BSN 11-check, IBAN mod-97, postcodes.

Pure functions shared by the validator (does it pass?) and the generator (make one that
does), so both sides of the contract agree by construction.
"""

from __future__ import annotations

import re

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")
_IBAN_NL = re.compile(r"^NL[0-9]{2}[A-Z]{4}[0-9]{10}$")


def bsn_checksum(digits: str) -> int:
    """The weighted sum of the 11-check (9*d1 + 8*d2 + ... + 2*d8 - 1*d9)."""
    return sum(w * int(d) for w, d in zip(BSN_WEIGHTS, digits, strict=True))


def is_valid_bsn(text: str) -> bool:
    """Nine digits (leading zeros kept), weighted sum divisible by 11, not all zeros."""
    return (
        len(text) == 9
        and text.isascii()
        and text.isdigit()
        and text != "000000000"
        and bsn_checksum(text) % 11 == 0
    )


def complete_bsn(first_eight: str) -> str | None:
    """The BSN with these eight leading digits, or None when no ninth digit passes."""
    partial = sum(w * int(d) for w, d in zip(BSN_WEIGHTS[:8], first_eight, strict=True))
    last = partial % 11
    if last > 9:
        return None
    candidate = f"{first_eight}{last}"
    return candidate if is_valid_bsn(candidate) else None


def normalise_iban(text: str) -> str:
    """Spaces out, upper case: `nl91 abna 0417 1643 00` -> `NL91ABNA0417164300`."""
    return "".join(text.split()).upper()


def _iban_number(rearranged: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in rearranged))


def is_valid_iban(normalised: str) -> bool:
    """A Dutch IBAN (NL, 2 check digits, 4-letter bank, 10 digits) passing mod-97."""
    if not _IBAN_NL.match(normalised):
        return False
    return _iban_number(normalised[4:] + normalised[:4]) % 97 == 1


def make_iban(bank: str, account: str) -> str:
    """The Dutch IBAN for a 4-letter bank code and 10-digit account, check digits computed."""
    check = 98 - _iban_number(f"{bank}{account}NL00") % 97
    return f"NL{check:02d}{bank}{account}"


def normalise_postcode(text: str) -> str | None:
    """`1234AB` or `1234 AB` -> `1234 AB`; None when it is not a Dutch postcode."""
    match = _POSTCODE.match(text.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None
