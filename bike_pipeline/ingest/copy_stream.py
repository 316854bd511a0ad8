"""One COPY ... FROM STDIN fed from a queue in a background thread.

The server parses and stores one block while Python reads and validates the next, so
the file costs about the slower of the two instead of their sum. The queue is bounded,
which bounds the memory; an error of the COPY surfaces in the producing thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any

_END = b""


class _QueueReader:
    """The file-like object psycopg2's copy_expert reads from."""

    def __init__(self, chunks: queue.Queue[bytes]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if not self._buffer and not self._done:
            chunk = self._chunks.get()
            self._done = not chunk
            self._buffer = memoryview(chunk)
        if size < 0 or size >= len(self._buffer):
            out, self._buffer = self._buffer, memoryview(b"")
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return bytes(out)

    readline = read


class CopyStream:
    """`COPY <target> FROM STDIN` running while `write` hands it CSV bytes."""

    def __init__(self, cursor: Any, sql: str, depth: int = 3) -> None:
        self._chunks: queue.Queue[bytes] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(cursor, sql), name="ingest-copy", daemon=True
        )
        self._thread.start()

    def _run(self, cursor: Any, sql: str) -> None:
        try:
            cursor.copy_expert(sql, _QueueReader(self._chunks), size=1 << 20)
        except BaseException as error:  # handed to the producer in write/close
            self._error = error
            while True:  # unblock a producer waiting on a full queue
                try:
                    self._chunks.get_nowait()
                except queue.Empty:
                    break

    def _put(self, chunk: bytes) -> None:
        while True:
            if self._error is not None:
                raise self._error
            try:
                self._chunks.put(chunk, timeout=0.2)
                return
            except queue.Full:
                continue

    def write(self, data: bytes) -> None:
        if data:
            self._put(data)

    def abort(self) -> None:
        """End the COPY early (the caller rolls back); errors no longer matter."""
        if self._thread.is_alive():
            with contextlib.suppress(BaseException):
                self._put(_END)
        self._thread.join()

    def close(self) -> None:
        """End the COPY and wait for the server to finish it."""
        if self._thread.is_alive():
            self._put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
