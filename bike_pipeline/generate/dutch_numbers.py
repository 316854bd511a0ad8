"""Valid BSNs and Dutch IBANs, computed for a whole chunk at once with NumPy.

The scalar rules live in `bike_pipeline.ingest.identifiers`; these are the same
arithmetic over arrays (the tests check every value against the scalar functions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bike_pipeline.generate.permutation import SIZE, Permutation
from bike_pipeline.ingest.identifiers import BSN_WEIGHTS

_PREFIX_WEIGHTS = np.array(BSN_WEIGHTS[:8], dtype=np.int64)


def digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """int64 numbers -> (n, width) matrix of their decimal digits, leading zeros kept."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def bsn_check_digits(prefixes: np.ndarray) -> np.ndarray:
    """The ninth digit completing each 8-digit prefix; 10 where no digit passes."""
    return (digits(prefixes, 8) @ _PREFIX_WEIGHTS) % 11


class BsnStream:
    """Distinct valid BSNs in a seeded random order, as 9-digit integers.

    Prefix k of the walk is `permutation(k)`; prefixes whose check digit would be 10 (and
    the all-zero number) are skipped, so every BSN handed out is valid and none repeats.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._permutation = Permutation(rng)
        self._cursor = 0

    def take(self, count: int) -> np.ndarray:
        found: list[np.ndarray] = []
        needed = count
        while needed > 0:
            if self._cursor >= SIZE:
                raise ValueError("more customers than there are BSNs")
            walk = np.arange(self._cursor, min(SIZE, self._cursor + needed * 12 // 10 + 32))
            prefixes = self._permutation(walk)
            checks = bsn_check_digits(prefixes)
            bsns = prefixes * 10 + checks
            usable = np.flatnonzero((checks < 10) & (bsns != 0))[:needed]
            found.append(bsns[usable])
            needed -= usable.size
            self._cursor = int(walk[usable[-1]]) + 1 if needed == 0 else int(walk[-1]) + 1
        return np.concatenate(found)


def _letters_remainder(bank: str) -> int:
    """mod 97 of a bank code's letters in IBAN notation (A=10 ... Z=35)."""
    return int("".join(str(int(ch, 36)) for ch in bank)) % 97


# "NL" -> 2321 and "00" placeholder check digits, appended after bank and account.
_NL_SUFFIX = 232100


def iban_check_digits(bank_remainders: np.ndarray, accounts: np.ndarray) -> np.ndarray:
    """ISO 13616 check digits of `NLkk` + bank + 10-digit account, vectorised.

    The IBAN number is bank letters, account digits, `2321`, `00`; its remainder mod 97 is
    built digit by digit so no intermediate value exceeds int64.
    """
    remainder = bank_remainders.astype(np.int64)
    for digit in digits(accounts, 10).T:
        remainder = (remainder * 10 + digit) % 97
    remainder = (remainder * 1_000_000 + _NL_SUFFIX) % 97
    return 98 - remainder


class IbanMaker:
    """Dutch IBANs over a pool of real bank codes, drawn with the given weights."""

    def __init__(self, banks: Sequence[str], weights: Sequence[float]) -> None:
        self.banks = np.array(banks, dtype=object)
        self._remainders = np.array([_letters_remainder(b) for b in banks], dtype=np.int64)
        self._weights = np.asarray(weights, dtype=float) / np.sum(weights)

    def draw(self, rng: np.random.Generator, count: int) -> list[str]:
        bank_index = rng.choice(self.banks.size, size=count, p=self._weights)
        accounts = rng.integers(0, 10**10, size=count, dtype=np.int64)
        checks = iban_check_digits(self._remainders[bank_index], accounts)
        return [
            f"NL{check:02d}{bank}{account:010d}"
            for check, bank, account in zip(
                checks.tolist(), self.banks[bank_index].tolist(), accounts.tolist(), strict=True
            )
        ]
