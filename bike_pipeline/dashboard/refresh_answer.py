"""The refresh callback's answer, serialised and compressed once per snapshot and shared
by every tab.

One background thread takes a snapshot every interval (while tabs ask for it), renders
the page's outputs and serialises Dash's answer to bytes, plain and gzip-compressed. A
tab's refresh then costs copying those bytes: no query, no figure, no JSON encoding, and
no tab ever waits behind another's refresh (only the very first answer is waited for).
An unchanged snapshot keeps the same bytes.

Each answer also re-arms the tab's timer for one more refresh (`tick.max_intervals` = the
tab's count + 1, see `app.create_app`), the only part that differs between tabs: the
bytes are split around that number, and the gzip form is a stream whose first part (all
but the number and the closing braces) is compressed once and ended with a sync flush,
so a request compresses a dozen bytes and appends the gzip trailer (CRC-32 and length).
"""

from __future__ import annotations

import logging
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from plotly.io.json import to_json_plotly

from bike_pipeline.dashboard.snapshot import Snapshot

log = logging.getLogger(__name__)

Outputs = dict[str, dict[str, Any]]  # element id -> property -> value, as Dash answers
FIRST_ANSWER_TIMEOUT_S = 20.0
IDLE_STOP_S = 60.0  # no tab asked for this long: stop taking snapshots until one asks
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime
_MARK = "__bike_pipeline_armed__"


class NoAnswerYet(RuntimeError):
    """The first snapshot did not come in time (the page's watchdog asks again)."""


@dataclass(frozen=True)
class SerialisedAnswer:
    """Dash's answer to the refresh callback, but for the re-arming number."""

    head: bytes
    tail: bytes
    gzip_head: bytes  # gzip header + raw deflate of `head`, sync-flushed
    head_crc: int

    @classmethod
    def of(cls, outputs: Outputs, armed: tuple[str, str]) -> SerialisedAnswer:
        element, prop = armed
        response = {**outputs, element: {prop: _MARK}}
        text = to_json_plotly({"multi": True, "response": response})
        head, tail = text.encode().split(f'"{_MARK}"'.encode())
        deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        gzip_head = _GZIP_HEADER + deflate.compress(head) + deflate.flush(zlib.Z_SYNC_FLUSH)
        return cls(head, tail, gzip_head, zlib.crc32(head))

    def body(self, armed: int) -> bytes:
        return self.head + str(armed).encode() + self.tail

    def gzipped(self, armed: int) -> bytes:
        rest = str(armed).encode() + self.tail
        deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        crc = zlib.crc32(rest, self.head_crc)
        size = (len(self.head) + len(rest)) & 0xFFFFFFFF
        return (
            self.gzip_head
            + deflate.compress(rest)
            + deflate.flush()
            + struct.pack("<II", crc, size)
        )


class SnapshotSource(Protocol):
    """What the publisher reads (`snapshot.DashboardData`)."""

    def snapshot(self) -> Snapshot: ...


class RefreshPublisher:
    """Keeps the serialised answer of the latest snapshot, taken every `interval_s` by one
    background thread started by the first request and stopped after `idle_stop_s`
    without one."""

    def __init__(
        self,
        source: SnapshotSource,
        render: Callable[[Snapshot], Outputs],
        armed: tuple[str, str],
        interval_s: float,
        idle_stop_s: float = IDLE_STOP_S,
    ) -> None:
        self.source = source
        self.render = render
        self.armed = armed
        self.interval_s = interval_s
        self.idle_stop_s = idle_stop_s
        self.builds = 0  # snapshots rendered and serialised (unchanged ones are not)
        self._changed = threading.Condition()
        self._answer: SerialisedAnswer | None = None
        self._outputs: Outputs | None = None
        self._snapshot: Snapshot | None = None
        self._asked_at = 0.0
        self._thread: threading.Thread | None = None

    def answer(self, timeout_s: float = FIRST_ANSWER_TIMEOUT_S) -> SerialisedAnswer:
        """The current answer at once; before the first one, wait up to `timeout_s`."""
        with self._changed:
            self._asked_at = time.monotonic()
            if self._thread is None or not self._thread.is_alive():
                self._answer = self._outputs = self._snapshot = None  # stale after a pause
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name="dashboard-snapshots"
                )
                self._thread.start()
            if not self._changed.wait_for(lambda: self._answer is not None, timeout_s):
                raise NoAnswerYet(f"no dashboard snapshot within {timeout_s:.0f} s")
            assert self._answer is not None
            return self._answer

    def outputs(self, timeout_s: float = FIRST_ANSWER_TIMEOUT_S) -> Outputs:
        """The rendered outputs behind the current answer."""
        self.answer(timeout_s)
        with self._changed:
            assert self._outputs is not None
            return self._outputs

    def _run(self) -> None:
        while True:
            started = time.monotonic()
            with self._changed:
                if started - self._asked_at > self.idle_stop_s:
                    self._thread = None
                    return
            self._publish()
            time.sleep(max(0.0, self.interval_s - (time.monotonic() - started)))

    def _publish(self) -> None:
        try:
            snapshot = self.source.snapshot()
            if snapshot == self._snapshot:
                return
            outputs = self.render(snapshot)
            answer = SerialisedAnswer.of(outputs, self.armed)
        except Exception as error:  # the thread must outlive any one failed snapshot
            log.warning("dashboard snapshot failed (%s); trying again", type(error).__name__)
            return
        with self._changed:
            self._snapshot, self._outputs, self._answer = snapshot, outputs, answer
            self.builds += 1
            self._changed.notify_all()
