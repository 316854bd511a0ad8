"""Time and peak memory of one piece of work, measured in a forked child process.

A child per measurement gives each variant its own peak RSS (`ru_maxrss` from `wait4`)
instead of the whole benchmark's. The child starts with the parent's pages mapped, so the
parent's RSS at fork time is reported beside the peak as its baseline.
"""

from __future__ import annotations

import os
import pickle
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bike_pipeline.db.engine import engine_for


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_rss_mib: float
    baseline_rss_mib: float
    items: int
    result: Any = None

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else float("inf")

    def ratio_to(self, anchor: Measurement) -> float:
        return self.seconds / anchor.seconds


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_in_child(label: str, items: int, work: Callable[[], Any]) -> Measurement:
    """Run `work()` in a forked child; return its wall time, peak RSS and (picklable) result."""
    baseline = _rss_mib()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        engine_for.cache_clear()  # never share the parent's pooled connections
        status = 0
        try:
            start = time.perf_counter()
            result = work()
            payload: tuple[str, Any] = ("ok", (time.perf_counter() - start, result))
        except BaseException:
            payload = ("error", traceback.format_exc())
            status = 1
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(payload, out)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        data = incoming.read()
    _, _, usage = os.wait4(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "error":
        raise RuntimeError(f"benchmark {label!r} failed in its child process:\n{value}")
    seconds, result = value
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return Measurement(label, seconds, peak, baseline, items, result)
