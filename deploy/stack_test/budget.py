"""The stack test's time bound: every command and wait gets what is left of it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class OutOfTime(RuntimeError):
    pass


class Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.steps: list[tuple[str, float]] = []

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime("the stack test ran out of its time bound")
        return left

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"== {name}", flush=True)
        start = time.monotonic()
        try:
            yield
        finally:
            took = time.monotonic() - start
            self.steps.append((name, took))
            print(f"== {name}: {took:.0f} s", flush=True)


def run(
    command: Sequence[str],
    budget: Budget,
    *,
    capture: bool = False,
    check: bool = True,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """Run `command` within the budget; echo it; on failure say what failed."""
    print("+", " ".join(command), flush=True)
    done = subprocess.run(
        list(command), text=True, capture_output=capture, timeout=budget.left(), **kwargs
    )
    if check and done.returncode != 0:
        detail = f"\n{done.stdout}\n{done.stderr}" if capture else ""
        raise RuntimeError(f"failed ({done.returncode}): {' '.join(command)}{detail}")
    return done
