"""Reusable: assert that no customer's personal value appears in a text (logs, errors, payloads).

Build `PersonalValues` once from the customers (`from_customers`) or from the database
(`from_database`), then call `assert_no_personal_values(text, values, where=...)` on
whatever a run produced: `caplog.text`, `str(exception)`, CLI output, Redis payloads
(`redis_text(client)` gathers every key's content). Matching is case-insensitive, on
whole words (a name or address of several words matches as consecutive words), so a
BSN inside a 64-character hex pseudonym is no false alarm. A failure names the kind of
value, the customer id and the position, never the value itself.
Single first names are left out (too common as words: "Mark", "Rose"); full names,
last names, streets and every identifier are in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
import sqlalchemy as sa

MIN_WORD_LENGTH = 4


def _iban_grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def values_of(customer: Any) -> dict[str, str]:
    """kind -> text of each personal value of one customer (an object or row with attributes)."""
    dob = customer.date_of_birth
    found = {
        "bsn": customer.bsn,
        "iban": customer.iban,
        "iban_grouped": _iban_grouped(customer.iban),
        "email": customer.email,
        "phone": customer.phone,
        "full_name": f"{customer.first_name} {customer.last_name}",
        "last_name": customer.last_name,
        "street": customer.street,
        "address": f"{customer.street} {customer.house_number}",
        "postcode": customer.postcode,
        "postcode_compact": customer.postcode.replace(" ", ""),
        "date_of_birth": dob.isoformat(),
        "date_of_birth_dump": dob.strftime("%d-%m-%Y"),
    }
    return {k: v.strip() for k, v in found.items() if v and len(v.strip()) >= MIN_WORD_LENGTH}


_WORD = re.compile(r"[\w@.+-]+")
_EDGE = ".+-"


def words(text: str) -> list[str]:
    """Lower-cased words; `@ . + -` inside a word keep e-mails, dates and phones whole."""
    return [w for w in (m.strip(_EDGE) for m in _WORD.findall(text.lower())) if w]


@dataclass(frozen=True)
class PersonalValues:
    """Every personal value to look for (as a tuple of words), with its kind and customer."""

    owners: dict[tuple[str, ...], tuple[str, int]]  # words of a value -> (kind, customer_id)
    longest: int  # the most words in one value

    @classmethod
    def from_customers(cls, customers: Iterable[Any]) -> PersonalValues:
        owners: dict[tuple[str, ...], tuple[str, int]] = {}
        for customer in customers:
            for kind, value in values_of(customer).items():
                key = tuple(words(value))
                if key:
                    owners.setdefault(key, (kind, customer.customer_id))
        return cls(owners, max((len(k) for k in owners), default=0))

    @classmethod
    def from_database(cls, engine: sa.Engine) -> PersonalValues:
        with engine.connect() as conn:
            return cls.from_customers(conn.execute(sa.text("SELECT * FROM core.customers")).all())


def find_personal_values(text: str, values: PersonalValues) -> list[str]:
    """Descriptions (kind, customer, word position) of every personal value in `text`.

    A set lookup of every run of up to `values.longest` consecutive words: linear in the
    text, whatever the number of customers (a regex alternation of all values is not).
    """
    found = []
    text_words = words(text)
    for start in range(len(text_words)):
        for length in range(1, min(values.longest, len(text_words) - start) + 1):
            owner = values.owners.get(tuple(text_words[start : start + length]))
            if owner:
                found.append("{} of customer {} at word {}".format(*owner, start))
    return found


def assert_no_personal_values(text: str, values: PersonalValues, where: str = "text") -> None:
    found = find_personal_values(text, values)
    assert not found, f"personal data in {where}: " + "; ".join(found[:10])


def redis_text(client: redis.Redis) -> str:
    """Everything stored in Redis (strings, lists, sets, hashes, sorted sets, streams) as text."""
    parts: list[str] = []
    for key in client.scan_iter(count=1_000):
        kind = client.type(key).decode()
        parts.append(key.decode(errors="replace"))
        if kind == "string":
            items: Iterable[Any] = [client.get(key)]
        elif kind == "list":
            items = client.lrange(key, 0, -1)
        elif kind == "set":
            items = client.smembers(key)
        elif kind == "zset":
            items = client.zrange(key, 0, -1)
        elif kind == "hash":
            items = [x for pair in client.hgetall(key).items() for x in pair]
        elif kind == "stream":
            items = [x for _, fields in client.xrange(key) for pair in fields.items() for x in pair]
        else:
            items = []
        parts.extend(x.decode(errors="replace") if isinstance(x, bytes) else str(x) for x in items)
    return "\n".join(parts)
