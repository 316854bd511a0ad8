"""customers.csv: valid rows assembled from value pools with NumPy, a chunk at a time."""

from __future__ import annotations

import numpy as np

from bike_pipeline.generate.calendar_text import DayTexts, LocalInstants
from bike_pipeline.generate.customer_defects import customer_defect_kinds
from bike_pipeline.generate.defects import DefectKind
from bike_pipeline.generate.dump_dates import (
    DUMP_TIME,
    EARLIEST_BIRTH_DATE,
    LATEST_BIRTH_DATE,
    REGISTRATION_START,
)
from bike_pipeline.generate.dutch_numbers import BsnStream, IbanMaker
from bike_pipeline.generate.pools import BANKS, ValuePools
from bike_pipeline.ingest.specs import CUSTOMERS

CUSTOMER_HEADER = CUSTOMERS.columns  # the contract's columns, in the order we write them
REGISTERED_SHARE = 0.30
INSURED_SHARE_OF_REGISTERED = 0.40
PHONE_SHARE = 0.85
POSTCODE_WITHOUT_SPACE_SHARE = 0.10
IBAN_SPACED_SHARE = 0.15
IBAN_LOWER_CASE_SHARE = 0.05
ID_GAP_SHARE = 0.05  # ids of customers deleted before the dump leave gaps
_EMAIL_SEPARATORS = np.array([".", ".", "", "_", "-"], dtype=object)
_HOUSE_LETTERS = np.array(["A", "B", "C", "D", "a", "bis"], dtype=object)


def _spaced(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


class CustomerTable:
    """Valid customers: unique ids and BSNs, ~30% registered in the year before the dump."""

    header = CUSTOMER_HEADER

    def __init__(self, rng: np.random.Generator, pools: ValuePools) -> None:
        self._rng = rng
        self._pools = pools
        self._bsns = BsnStream(rng)
        self._ibans = IbanMaker(tuple(BANKS), tuple(BANKS.values()))
        self._birth_days = DayTexts(EARLIEST_BIRTH_DATE, LATEST_BIRTH_DATE)
        self._registrations = LocalInstants(REGISTRATION_START, DUMP_TIME)
        self._last_id = 0
        self.defect_kinds: tuple[DefectKind, ...] = customer_defect_kinds(self._registrations)

    def chunk(self, size: int) -> list[list[str]]:
        rng, pools = self._rng, self._pools
        first = rng.integers(len(pools.first_name_fields), size=size)
        last = rng.integers(len(pools.last_name_fields), size=size)
        registered_at, registered = self._registered_at(size)
        columns = {
            "customer_id": self._ids(size),
            "first_name": pools.first_name_fields[first].tolist(),
            "last_name": pools.last_name_fields[last].tolist(),
            "bsn": [f"{bsn:09d}" for bsn in self._bsns.take(size).tolist()],
            "iban": self._ibans_as_written(size),
            "email": self._emails(first, last),
            "phone": self._phones(size),
            "date_of_birth": self._birth_dates(size),
            "street": self._pick(pools.street_fields, size),
            "house_number": self._house_numbers(size),
            "postcode": self._postcodes(size),
            "city": self._pick(pools.city_fields, size),
            "registered_at": registered_at,
            "insured": self._insured(registered),
        }
        return [columns[name] for name in self.header]

    def _ids(self, size: int) -> list[str]:
        steps = 1 + (self._rng.random(size) < ID_GAP_SHARE) * self._rng.integers(1, 20, size)
        ids = self._last_id + np.cumsum(steps)
        self._last_id = int(ids[-1])
        return list(map(str, ids.tolist()))

    def _ibans_as_written(self, size: int) -> list[str]:
        """Mostly compact upper case; some spaced in groups of four, some lower case."""
        ibans = self._ibans.draw(self._rng, size)
        style = self._rng.random(size)
        for i in np.flatnonzero(style < IBAN_SPACED_SHARE).tolist():
            ibans[i] = _spaced(ibans[i])
        lower = (style >= IBAN_SPACED_SHARE) & (style < IBAN_SPACED_SHARE + IBAN_LOWER_CASE_SHARE)
        for i in np.flatnonzero(lower).tolist():
            ibans[i] = ibans[i].lower()
        return ibans

    def _emails(self, first: np.ndarray, last: np.ndarray) -> list[str]:
        rng, pools, size = self._rng, self._pools, first.size
        first_parts = pools.first_name_slugs[first]
        initials = rng.random(size) < 0.15
        first_parts[initials] = [s[0] for s in first_parts[initials].tolist()]
        separators = _EMAIL_SEPARATORS[rng.integers(_EMAIL_SEPARATORS.size, size=size)]
        numbers = np.where(rng.random(size) < 0.4, rng.integers(1, 100, size), 0)
        domains = pools.email_domains[rng.integers(pools.email_domains.size, size=size)]
        return [
            f"{f}{sep}{last_part}{n or ''}@{domain}"
            for f, sep, last_part, n, domain in zip(
                first_parts.tolist(),
                separators.tolist(),
                pools.last_name_slugs[last].tolist(),
                numbers.tolist(),
                domains.tolist(),
                strict=True,
            )
        ]

    def _phones(self, size: int) -> list[str]:
        """Phone numbers in the formats people write them; some customers gave none."""
        rng, formats = self._rng, self._pools.phone_formats
        phones = [""] * size
        chosen = rng.integers(len(formats), size=size)
        chosen[rng.random(size) >= PHONE_SHARE] = -1
        for index, phone_format in enumerate(formats):
            rows = np.flatnonzero(chosen == index)
            count = phone_format.digit_count
            rest = rng.integers(10 ** (count - 1), 10**count, size=rows.size)
            runs = []
            for length in reversed(phone_format.run_lengths):
                rest, run = np.divmod(rest, 10**length)
                runs.append(run.tolist())
            for row, parts in zip(rows.tolist(), zip(*reversed(runs), strict=True), strict=True):
                phones[row] = phone_format.template % parts
        return phones

    def _birth_dates(self, size: int) -> list[str]:
        """Ages on the first registration day from 16 to ~90, most between 20 and 50."""
        years_over_minimum = self._rng.gamma(shape=2.2, scale=9.0, size=size).clip(0, 74)
        latest = self._birth_days.days - 1
        offsets = latest - np.floor(years_over_minimum * 365.25).astype(np.int64)
        return self._birth_days.texts(offsets.clip(0, latest))

    def _house_numbers(self, size: int) -> list[str]:
        """`12`, sometimes `12A` or `12-2` (a floor or a flat)."""
        rng = self._rng
        numbers = (1 + np.floor(rng.lognormal(mean=2.8, sigma=0.9, size=size))).clip(1, 999)
        texts = list(map(str, numbers.astype(np.int64).tolist()))
        style = rng.random(size)
        letters = _HOUSE_LETTERS[rng.integers(_HOUSE_LETTERS.size, size=size)]
        floors = rng.integers(1, 5, size=size)
        for i in np.flatnonzero(style < 0.10).tolist():
            texts[i] += letters[i]
        for i in np.flatnonzero((style >= 0.10) & (style < 0.16)).tolist():
            texts[i] += f"-{floors[i]}"
        return texts

    def _postcodes(self, size: int) -> list[str]:
        """`1234 AB`; some written without the space, which the contract allows."""
        rng, letters = self._rng, self._pools.postcode_letters
        numbers = rng.integers(1000, 10000, size=size).tolist()
        pairs = letters[rng.integers(letters.size, size=size)].tolist()
        spaces = np.where(rng.random(size) < POSTCODE_WITHOUT_SPACE_SHARE, "", " ").tolist()
        return [f"{n}{s}{p}" for n, s, p in zip(numbers, spaces, pairs, strict=True)]

    def _registered_at(self, size: int) -> tuple[list[str], np.ndarray]:
        registered = self._rng.random(size) < REGISTERED_SHARE
        texts = [""] * size
        rows = np.flatnonzero(registered)
        instants = self._rng.integers(0, self._registrations.seconds, size=rows.size)
        for row, text in zip(rows.tolist(), self._registrations.texts(instants), strict=True):
            texts[row] = text
        return texts, registered

    def _insured(self, registered: np.ndarray) -> list[str]:
        """`yes` for ~40% of the registered; otherwise `no` or left empty (means `no`)."""
        draw = self._rng.random(registered.size)
        insured = registered & (draw < INSURED_SHARE_OF_REGISTERED)
        blank = self._rng.random(registered.size) < 0.5
        return np.where(insured, "yes", np.where(blank, "", "no")).tolist()

    def _pick(self, pool: np.ndarray, size: int) -> list[str]:
        return pool[self._rng.integers(pool.size, size=size)].tolist()
