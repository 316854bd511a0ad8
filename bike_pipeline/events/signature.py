"""A keyed MAC on every event payload, so an entry nobody but the relay could write is told
apart from one forged by whoever else can reach Redis.

The relay signs each payload with HMAC-SHA256 under the events key
(`BIKE_PIPELINE_EVENTS_KEY`, else a development key kept in `BIKE_PIPELINE_HOME/keys`,
like the privacy keys; never in the repository) and sends the signed text on the stream
and the channels: the payload with one last member, `"mac"`, the first 128 bits of the
MAC in hex over the payload text without it. `listen`, the dashboard and the relay's
verification check it; a payload without a valid MAC is not the database's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re

from bike_pipeline.settings import Settings, secret_key

EVENTS_KEY_VAR = "BIKE_PIPELINE_EVENTS_KEY"
MAC_FIELD = "mac"
MAC_HEX_LENGTH = 32
_SUFFIX = re.compile(rb',"mac":"([0-9a-f]{32})"}\Z')
_SUFFIX_LENGTH = len(',"mac":""}') + MAC_HEX_LENGTH


class EventSigner:
    """Signs and checks event payloads with one key."""

    def __init__(self, key: str | bytes) -> None:
        self._key = key.encode() if isinstance(key, str) else key

    def _mac(self, payload: bytes) -> str:
        return hmac.digest(self._key, payload, hashlib.sha256)[: MAC_HEX_LENGTH // 2].hex()

    def sign(self, payload: str) -> str:
        """`{...}` becomes `{...,"mac":"<hex>"}`."""
        return f'{payload[:-1]},"{MAC_FIELD}":"{self._mac(payload.encode())}"}}'

    def sign_lines(self, payload_lines: str) -> str:
        """Sign each of newline-joined payloads (as the relay reads them from PostgreSQL)."""
        return "\n".join(self.sign(line) for line in payload_lines.split("\n") if line)

    def verify(self, signed: bytes | str) -> bool:
        """True when `signed` carries the MAC of its own payload under this key."""
        data = signed.encode() if isinstance(signed, str) else signed
        match = _SUFFIX.search(data)
        if match is None:
            return False
        payload = data[:-_SUFFIX_LENGTH] + b"}"
        return hmac.compare_digest(self._mac(payload), match.group(1).decode())


@functools.cache
def _signer_for(key: str) -> EventSigner:
    return EventSigner(key)


def event_signer(settings: Settings | None = None) -> EventSigner:
    """The signer of the configured events key (the development key read once a process)."""
    value = os.environ.get(EVENTS_KEY_VAR)
    if value:
        return _signer_for(value)
    return _development_signer(settings or Settings.from_env())


@functools.cache
def _development_signer(settings: Settings) -> EventSigner:
    return EventSigner(secret_key(EVENTS_KEY_VAR, settings))
