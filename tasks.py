"""The README's commands: `python3 tasks.py run`, `python3 tasks.py test` and
`python3 tasks.py stack-test`.

Standard library only, so it works on a fresh machine with nothing but Python 3.11+:
it creates `.venv`, installs the package into it, and then runs the main job or the
whole test suite. The suite's browser, PDF and compose tests need three system programs
(Chromium, poppler-utils' pdftoppm and docker-compose); on Debian/Ubuntu as root they are
installed with apt-get, elsewhere the script says what to install and stops. `stack-test`
runs deploy/stack_test (the docker-compose stack on locally built images, see DEPLOYMENT.md)
with the venv's Python.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
SYSTEM_PROGRAMS = {
    "chromium": "chromium",
    "docker-compose": "docker-compose",
    "pdftoppm": "poppler-utils",  # the report test renders report.pdf's first page
}


def _check(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def _install_package(extra: str) -> None:
    """The package, editable, into `.venv`: with uv when it can be had (about ten times
    faster than pip on a fresh venv, see BENCHMARKS.md), else with pip.

    Both leave every module compiled to bytecode (uv only when asked): each Dagster run,
    step and CLI call is a new interpreter, and where `PYTHONDONTWRITEBYTECODE` is set no
    interpreter caches what it compiles, so without this every one of them compiles
    Dagster from source again (the suite took twice as long, see BENCHMARKS.md)."""
    if not (BIN / "python").exists():
        print(f"+ python3 -m venv {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    installed = False
    if _uv_available():
        uv = [str(BIN / "python"), "-m", "uv", "pip", "install", "--quiet", "--compile-bytecode"]
        installed = _try([*uv, "--python", str(BIN / "python"), "-e", f".{extra}"])
        if not installed:
            print("uv could not install the package; installing with pip instead.", flush=True)
    if not installed:
        _check([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".{extra}"])
    _check([str(BIN / "python"), "-m", "compileall", "-q", "bike_pipeline"])
    _compile_engine_in_background()


def _compile_engine_in_background() -> None:
    """Compile the replication engine's loops into numba's on-disk cache while the job's
    first stages run (about 30 s of one core from a fresh clone, which the report's Monte
    Carlo would otherwise wait for); waited for when this script ends."""
    command = [
        str(BIN / "python"),
        "-c",
        "from bike_pipeline.simulation.fast_engine import warm_up; warm_up()",
    ]
    print("+", " ".join(command), "&", flush=True)
    compiling = subprocess.Popen(command, cwd=ROOT)
    atexit.register(compiling.wait)


def _uv_available() -> bool:
    """Whether the venv has uv, installing it with pip first (one small wheel); False
    when pip cannot get it (no index, offline mirror without it)."""
    python = str(BIN / "python")
    if subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
        return True
    return _try([python, "-m", "pip", "install", "--quiet", "uv"])


def _try(command: list[str]) -> bool:
    """`command` run as `_check` does; whether it succeeded."""
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode == 0


def _missing_programs() -> list[str]:
    return [package for program, package in SYSTEM_PROGRAMS.items() if not shutil.which(program)]


def _install_system_programs() -> None:
    missing = _missing_programs()
    if not missing:
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        _check(["apt-get", "update", "-qq"])
        _check(["apt-get", "install", "-y", "-qq", *missing])
        return
    sys.exit(
        f"The test suite needs {', '.join(missing)} (a headless browser for the dashboard "
        "and report tests, poppler-utils to render the report's PDF, docker-compose to "
        "validate docker-compose.yaml). Install them with your "
        f"package manager (Debian/Ubuntu: sudo apt-get install {' '.join(missing)}) and "
        "run this command again."
    )


def _workers(pytest_args: list[str]) -> list[str]:
    """pytest-xdist's worker count unless the caller chose one: one worker per core, at
    most four. Each worker starts its own embedded servers (conftest.py), and most of the
    suite waits on servers and subprocesses, so two workers halve it on two cores."""
    chosen = any(a.startswith(("-n", "--numprocesses")) or "no:xdist" in a for a in pytest_args)
    if chosen:
        return []
    return ["--numprocesses", str(min(os.cpu_count() or 1, 4))]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "stack-test"}:
        print(
            "usage: python3 tasks.py run [bike-pipeline run options]\n"
            "       python3 tasks.py test [pytest options]\n"
            "       python3 tasks.py stack-test [--keep-images] [--bound SECONDS]",
            file=sys.stderr,
        )
        return 2
    task, rest = argv[0], argv[1:]
    if task == "run":
        _install_package("")
        command = [str(BIN / "bike-pipeline"), "run", *rest]
    elif task == "stack-test":
        _install_package("[test]")
        command = [str(BIN / "python"), str(ROOT / "deploy" / "stack_test"), *rest]
    else:
        _install_package("[test]")
        _install_system_programs()
        command = [str(BIN / "python"), "-m", "pytest", *_workers(rest), *rest]
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
