"""The README's commands: `python3 tasks.py run`, `python3 tasks.py test` and
`python3 tasks.py stack-test`.

Standard library only, so it works on a fresh machine with nothing but Python 3.11+:
it creates `.venv`, installs the package into it, and then runs the main job or the
whole test suite. The suite's browser and compose tests need two system programs
(Chromium and docker-compose); on Debian/Ubuntu as root they are installed with apt-get,
elsewhere the script says what to install and stops. `stack-test` runs deploy/stack_test
(the docker-compose stack on locally built images, see DEPLOYMENT.md) with the venv's Python.
"""

from __future__ import annotations

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
    if not (BIN / "python").exists():
        print(f"+ python3 -m venv {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _check([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".{extra}"])


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
        "test, docker-compose to validate docker-compose.yaml). Install them with your "
        f"package manager (Debian/Ubuntu: sudo apt-get install {' '.join(missing)}) and "
        "run this command again."
    )


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
        command = [str(BIN / "python"), "-m", "pytest", *rest]
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
