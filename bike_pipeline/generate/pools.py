"""Pools of realistic Dutch values, drawn with Faker (`nl_NL`) once per dump.

Faker costs microseconds per value; a dump of a million rows instead indexes into these
pools with NumPy. Pool entries are kept as CSV field text (quoted where needed) so rows
are assembled without per-field work. A few entries need RFC 4180 quoting on purpose
(a nickname in quotes, a street with a comma) so readers of the dump must handle it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from faker import Faker

from bike_pipeline.generate.csv_text import quote

# Dutch given names and the nickname people write beside them, quoted.
NICKNAMES = (
    ("Johannes", "Hans"),
    ("Cornelis", "Kees"),
    ("Hendrik", "Henk"),
    ("Wilhelmus", "Wim"),
    ("Jacobus", "Koos"),
    ("Petronella", "Nel"),
    ("Adrianus", "Arie"),
    ("Geertruida", "Truus"),
)
# What sometimes follows a street name in a customer record, after a comma.
STREET_ADDITIONS = ("achterom", "zijingang", "bovenwoning", "hoek Markt")
# Mobile numbers, missing from Faker's nl_NL formats, are most of what customers give.
MOBILE_FORMATS = ("06-########", "06 ########", "+316########", "+31 6 ########")
# Banks by code with rough market shares.
BANKS = {
    "INGB": 0.36,
    "RABO": 0.28,
    "ABNA": 0.20,
    "SNSB": 0.05,
    "ASNB": 0.03,
    "TRIO": 0.02,
    "BUNQ": 0.03,
    "KNAB": 0.02,
    "RBRB": 0.01,
}
NO_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})  # never issued by PostNL


def email_slug(name: str) -> str:
    """`Aimée` -> `aimee`, `van 't Erve` -> `vanterve`: the ASCII core of a name."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _field_array(values: list[str]) -> np.ndarray:
    return np.array([quote(v) for v in values], dtype=object)


@dataclass(frozen=True)
class PhoneFormat:
    """A pattern like `0## #######` split into its literal parts and digit runs."""

    template: str  # %-template with one `%0Nd` per digit run
    run_lengths: tuple[int, ...]

    @classmethod
    def parse(cls, pattern: str) -> PhoneFormat:
        runs = tuple(len(run) for run in re.findall(r"#+", pattern))
        template = re.sub(r"#+", lambda m: f"%0{len(m.group())}d", pattern.replace("%", "%%"))
        return cls(template, runs)

    @property
    def digit_count(self) -> int:
        return sum(self.run_lengths)


@dataclass(frozen=True)
class ValuePools:
    """Field text pools (`*_fields`) and the slugs used to build e-mail addresses."""

    first_name_fields: np.ndarray
    first_name_slugs: np.ndarray
    last_name_fields: np.ndarray
    last_name_slugs: np.ndarray
    street_fields: np.ndarray
    city_fields: np.ndarray
    email_domains: np.ndarray
    phone_formats: tuple[PhoneFormat, ...]
    postcode_letters: np.ndarray

    @classmethod
    def draw(cls, seed: int, size: int = 3000) -> ValuePools:
        fake = Faker("nl_NL")
        fake.seed_instance(seed)
        first = _unique([fake.first_name() for _ in range(size)])
        first += [f'{name} "{nick}"' for name, nick in NICKNAMES]
        last = _unique([fake.last_name() for _ in range(size)])
        streets = _unique([fake.street_name() for _ in range(size)])
        streets += [
            f"{street}, {STREET_ADDITIONS[i % len(STREET_ADDITIONS)]}"
            for i, street in enumerate(streets[: max(1, len(streets) // 100)])
        ]
        cities = _unique([fake.city() for _ in range(size)])
        domains = _unique([fake.free_email_domain() for _ in range(50)])
        domains *= 6  # free mail providers are most addresses; the rest are work domains
        domains += _unique([fake.domain_name() for _ in range(len(domains) // 3)])
        phone_patterns = sorted(set(fake.provider("faker.providers.phone_number").formats))
        letters = [
            a + b
            for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            if a + b not in NO_POSTCODE_LETTERS
        ]
        return cls(
            first_name_fields=_field_array(first),
            first_name_slugs=np.array([email_slug(n.split('"')[0]) for n in first], dtype=object),
            last_name_fields=_field_array(last),
            last_name_slugs=np.array([email_slug(n) for n in last], dtype=object),
            street_fields=_field_array(streets),
            city_fields=_field_array(cities),
            email_domains=np.array(domains, dtype=object),
            phone_formats=tuple(
                PhoneFormat.parse(p) for p in (*phone_patterns, *MOBILE_FORMATS * 4)
            ),
            postcode_letters=np.array(letters, dtype=object),
        )
