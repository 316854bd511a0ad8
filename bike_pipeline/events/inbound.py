"""Decoding what a listener receives, never trusting it: a message or stream entry that is
not a signed, well-formed event is rejected with a short reason (never its payload)."""

from __future__ import annotations

import json
from typing import Any

from bike_pipeline.events.signature import EventSigner

_INT_FIELDS = ("event_id", "tick")
_TEXT_FIELDS = ("type", "sim_time")


class RejectedMessage(ValueError):
    """Why a message is not an event of the relay's; the reason holds no payload text."""


def decode_event(signer: EventSigner, raw: bytes | str | None) -> dict[str, Any]:
    """The event in a signed payload; raises `RejectedMessage` for anything else."""
    if raw is None:
        raise RejectedMessage("no payload")
    if not signer.verify(raw):
        raise RejectedMessage("no valid MAC (not written by the relay)")
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RejectedMessage("not JSON") from None
    if not isinstance(event, dict):
        raise RejectedMessage("not a JSON object")
    for field in _INT_FIELDS:
        value = event.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RejectedMessage(f"{field} missing or not a non-negative integer")
    for field in _TEXT_FIELDS:
        if not isinstance(event.get(field), str):
            raise RejectedMessage(f"{field} missing or not text")
    bike_id = event.get("bike_id")
    if bike_id is not None and (not isinstance(bike_id, int) or isinstance(bike_id, bool)):
        raise RejectedMessage("bike_id not an integer")
    return event
