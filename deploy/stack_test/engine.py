"""The Docker engine of the stack test: installed with apt-get when missing, `dockerd`
started when none runs (and stopped again by whoever started it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from budget import Budget, run

PACKAGES = {
    "dockerd": "docker.io",
    "docker-compose": "docker-compose",
    "debootstrap": "debootstrap",
}
SOCKET = Path("/var/run/docker.sock")


def docker() -> str:
    """Debian's client beside its `dockerd` when present (same API version), else any."""
    if Path("/usr/bin/docker").exists():
        return "/usr/bin/docker"
    found = shutil.which("docker")
    if found is None:
        raise RuntimeError("no `docker` client: install Debian's docker.io")
    return found


def _have(program: str) -> bool:
    return shutil.which(program) is not None or Path("/usr/sbin", program).exists()


def install_missing(budget: Budget) -> None:
    missing = [package for program, package in PACKAGES.items() if not _have(program)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError(
            f"the stack test needs {', '.join(missing)}: install them "
            f"(Debian: sudo apt-get install {' '.join(missing)}) and run it again"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], budget, env=env)
    run(["apt-get", "install", "-y", "-qq", *missing], budget, env=env)


def _answers() -> bool:
    done = subprocess.run([docker(), "info"], capture_output=True, timeout=30)
    return done.returncode == 0


class Daemon:
    """A running `dockerd`; `started` tells whether this process started it."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def started(self) -> bool:
        return self.process is not None

    def ensure(self, budget: Budget) -> None:
        if _answers():
            print("  dockerd already runs; using it", flush=True)
            return
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [dockerd], stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + min(120, budget.left())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited ({self.process.returncode}); see {self.log}")
            if SOCKET.exists() and _answers():
                return
            time.sleep(1)
        raise RuntimeError(f"dockerd did not answer within 120 s; see {self.log}")

    def answers(self) -> bool:
        return _answers()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
