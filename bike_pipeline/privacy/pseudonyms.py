"""Keyed pseudonyms (HMAC-SHA256) of the customers' personal values.

A plain SHA-256 of a BSN is reversed by hashing all 90.9 million valid BSNs; an HMAC
under a secret key is not, as long as the BI team never holds the key. Each field is
hashed with its own label (`bsn:`, `iban:`...) so pseudonyms of different fields never
coincide, over the normalised value (`normalise.py`) so the same person always gets the
same pseudonym and BI can join on it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from bike_pipeline.privacy.normalise import (
    normalise_bsn,
    normalise_email,
    normalise_iban_text,
    normalise_name,
    normalise_phone,
)
from bike_pipeline.settings import PSEUDONYM_KEY_VAR, secret_key

KEY_VERSION_LABEL = b"key-version"
KEY_VERSION_HEX_CHARS = 8


@dataclass(frozen=True)
class CustomerPseudonyms:
    customer: str
    bsn: str
    iban: str
    email: str
    name: str
    phone: str | None


class Pseudonymiser:
    """HMAC-SHA256 under one pseudonym key; hex digests."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError(f"empty pseudonym key: set {PSEUDONYM_KEY_VAR}")
        self._key = key.encode()
        # HMAC (RFC 2104) with the padded-key states hashed once: `hmac.digest` redoes
        # them for every message, which doubles the cost of pseudonymising a million rows.
        block = hashlib.sha256().block_size
        padded = (
            hashlib.sha256(self._key).digest() if len(self._key) > block else self._key
        ).ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    @classmethod
    def from_environment(cls) -> Pseudonymiser:
        return cls(secret_key(PSEUDONYM_KEY_VAR))

    def _hmac(self, label: str, value: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{label}:{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    @property
    def key_version(self) -> str:
        """Identifies the key without revealing it: rows of different keys never join."""
        return hmac.digest(self._key, KEY_VERSION_LABEL, "sha256").hex()[:KEY_VERSION_HEX_CHARS]

    def customer(self, customer_id: int) -> str:
        return self._hmac("customer", str(customer_id))

    def bsn(self, bsn: str) -> str:
        return self._hmac("bsn", normalise_bsn(bsn))

    def iban(self, iban: str) -> str:
        return self._hmac("iban", normalise_iban_text(iban))

    def email(self, email: str) -> str:
        return self._hmac("email", normalise_email(email))

    def name(self, first_name: str, last_name: str) -> str:
        return self._hmac("name", f"{normalise_name(first_name)}|{normalise_name(last_name)}")

    def phone(self, phone: str | None) -> str | None:
        if phone is None or not phone.strip():
            return None
        return self._hmac("phone", normalise_phone(phone))

    def customer_pseudonyms(
        self,
        customer_id: int,
        bsn: str,
        iban: str,
        email: str,
        first_name: str,
        last_name: str,
        phone: str | None,
    ) -> CustomerPseudonyms:
        return CustomerPseudonyms(
            customer=self.customer(customer_id),
            bsn=self.bsn(bsn),
            iban=self.iban(iban),
            email=self.email(email),
            name=self.name(first_name, last_name),
            phone=self.phone(phone),
        )
