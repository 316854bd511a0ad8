"""`bike-pipeline bench` from a clone: the benchmarks are found in `benchmarks/` at the root.

The other side (an installed wheel without them: one line, exit 2) is checked in
`deploy/test_wheel_install.py`, where a wheel really is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bike_pipeline.cli import bench as bench_cli

ROOT = Path(__file__).resolve().parents[2]


def test_a_clone_finds_its_benchmarks_next_to_the_package() -> None:
    assert bench_cli.source_root() == ROOT


def test_bench_lists_and_loads_the_benchmarks_from_another_folder(tmp_path: Path) -> None:
    # A fresh interpreter started elsewhere: the root is not on sys.path until the command
    # puts it there.
    done = subprocess.run(
        [sys.executable, "-m", "bike_pipeline.cli", "bench", "live", "--help"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: " in done.stdout and "bench live" in done.stdout
    listing = subprocess.run(
        [sys.executable, "-m", "bike_pipeline.cli", "bench", "--help"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    for name in bench_cli.BENCHMARKS:
        assert name in listing.stdout
