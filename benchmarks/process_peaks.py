"""Peak resident memory of every process a stage starts, sampled while it runs.

`measure_in_child`'s `ru_maxrss` is the largest of the stage's process and of the children it
reaped, one number. A stage that spreads its work (the report's spawned replication workers,
Dask's worker processes) needs one peak per process: a thread polls the tree under this
process with psutil every `interval_s` and keeps each process's largest RSS. A process
living shorter than the interval can be missed; `ru_maxrss` still bounds the largest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil


@dataclass(frozen=True)
class ProcessPeak:
    pid: int
    role: str
    peak_rss_mib: float


def role_of(process: psutil.Process) -> str:
    """What a process of the stage is, from its command line (no argument is kept)."""
    try:
        command = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "process"
    if "multiprocessing.spawn" in command or "multiprocessing.forkserver" in command:
        return "replication worker (spawned)"  # a Dask nanny spawns its worker so too
    if "multiprocessing.resource_tracker" in command:
        return "resource tracker"
    return "stage process"


@dataclass
class PeakSampler:
    """Samples the descendants of `root` (default: this process) until stopped."""

    interval_s: float = 0.2
    root: int | None = None
    classify: Callable[[psutil.Process], str] = role_of
    _peaks: dict[int, ProcessPeak] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PeakSampler:
        self._thread = threading.Thread(target=self._run, name="peak-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        root = psutil.Process(self.root)
        while not self._stop.is_set():
            self.sample(root)
            self._stop.wait(self.interval_s)

    def sample(self, root: psutil.Process) -> None:
        try:
            processes = root.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                rss = process.memory_info().rss / 2**20
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            known = self._peaks.get(process.pid)
            if known is None:
                self._peaks[process.pid] = ProcessPeak(process.pid, self.classify(process), rss)
            elif rss > known.peak_rss_mib:
                self._peaks[process.pid] = ProcessPeak(process.pid, known.role, rss)

    @property
    def peaks(self) -> list[ProcessPeak]:
        return sorted(self._peaks.values(), key=lambda p: p.peak_rss_mib, reverse=True)


def by_role(peaks: list[ProcessPeak]) -> dict[str, tuple[int, float]]:
    """Role -> (processes seen, the largest peak among them, MiB)."""
    found: dict[str, tuple[int, float]] = {}
    for peak in peaks:
        count, largest = found.get(peak.role, (0, 0.0))
        found[peak.role] = (count + 1, max(largest, peak.peak_rss_mib))
    return found
