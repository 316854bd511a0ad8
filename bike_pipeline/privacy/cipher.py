"""AES-GCM encryption of PII values, byte-compatible with sqlalchemy-utils' `AesGcmEngine`.

`AesGcmEngine` derives the AES key as SHA-256 of the key text and stores
`base64(iv[12] + tag[16] + ciphertext)` with a random IV: equal values encrypt
differently, and a wrong key fails the authentication tag instead of giving garbage.
This module writes and reads that very format with `cryptography`'s one-shot `AESGCM`
(several times faster per value than the engine's streaming cipher), for the bulk fill
and the key rotation; the engineer's models read it back through `StringEncryptedType`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bike_pipeline.settings import PII_KEY_VAR

IV_BYTES = 12
TAG_BYTES = 16


class WrongPiiKeyError(Exception):
    """The ciphertext does not authenticate under the key given: the key is wrong."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"{where}: decryption failed (AES-GCM authentication): {PII_KEY_VAR} is not the "
            "key this data was encrypted with"
        )


def aes_key(key_text: str) -> bytes:
    """The AES-256 key sqlalchemy-utils derives from a key text."""
    if not key_text:
        raise ValueError(f"empty PII key: set {PII_KEY_VAR}")
    return hashlib.sha256(key_text.encode()).digest()


class PiiCipher:
    def __init__(self, key_text: str) -> None:
        self._aead = AESGCM(aes_key(key_text))

    def _seal(self, iv: bytes, plaintext: str) -> str:
        sealed = self._aead.encrypt(iv, plaintext.encode(), None)  # ciphertext + tag
        return binascii.b2a_base64(
            iv + sealed[-TAG_BYTES:] + sealed[:-TAG_BYTES], newline=False
        ).decode()

    def encrypt(self, plaintext: str) -> str:
        return self._seal(os.urandom(IV_BYTES), plaintext)

    def encrypt_values(self, values: Sequence[str | None]) -> list[str | None]:
        """Encrypt a row's values (None stays None) with one call for all their random IVs."""
        ivs = os.urandom(IV_BYTES * len(values))
        return [
            None if value is None else self._seal(ivs[i * IV_BYTES : (i + 1) * IV_BYTES], value)
            for i, value in enumerate(values)
        ]

    def decrypt(self, token: str, where: str = "value") -> str:
        try:
            raw = base64.b64decode(token, validate=True)
        except binascii.Error:
            raise ValueError(f"{where}: not an AES-GCM ciphertext (not base64)") from None
        if len(raw) < IV_BYTES + TAG_BYTES:
            raise WrongPiiKeyError(where)
        iv, tag, body = (
            raw[:IV_BYTES],
            raw[IV_BYTES : IV_BYTES + TAG_BYTES],
            raw[IV_BYTES + TAG_BYTES :],
        )
        try:
            return self._aead.decrypt(iv, body + tag, None).decode()
        except InvalidTag:
            raise WrongPiiKeyError(where) from None
