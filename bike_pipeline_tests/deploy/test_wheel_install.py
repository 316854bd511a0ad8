"""The package stands alone: its wheel, installed into a fresh venv (no `-e`, no source tree)
and run from another folder, runs `generate`, `ingest`, `simulate --scenario seed` and
`report` against the session's servers.

The fresh venv borrows the already installed dependencies through a `.pth` line naming this
environment's site-packages (pip's cache and network are not needed for them); a `.pth`
inside a directory added that way is not processed, so this environment's editable
`bike_pipeline` stays invisible and only the wheel's copy can be imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.settings import DATABASE_URL_VAR, HOME_VAR, REDIS_URL_VAR

ROOT = Path(__file__).resolve().parents[2]


def _wheel(out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    [wheel] = out.glob("bike_pipeline-*.whl")
    return wheel


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    return folder / "bin"


def test_the_wheel_installed_without_the_source_tree_runs_the_pipeline(
    tmp_path: Path, database_url: str, servers: services.ServiceUrls
) -> None:
    wheel = _wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name.split("/")[0] for name in archive.namelist()}
    # The application only: no tests, no benchmarks/ (they run from a clone).
    assert {top for top in shipped if not top.endswith(".dist-info")} == {"bike_pipeline"}
    bin_dir = _fresh_venv(tmp_path / "venv", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        HOME_VAR: str(elsewhere / "home"),
        DATABASE_URL_VAR: database_url,
        REDIS_URL_VAR: servers.redis_url,
        "PYTHONPATH": "",
    }

    def cli(*args: str) -> str:
        done = subprocess.run(
            [str(bin_dir / "bike-pipeline"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"bike-pipeline {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import bike_pipeline; print(bike_pipeline.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where
    jobs = subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "dagster",
            "job",
            "list",
            "-m",
            "bike_pipeline.definitions",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert jobs.returncode == 0 and "ingest_dump" in jobs.stdout, jobs.stderr

    no_bench = subprocess.run(
        [str(bin_dir / "bike-pipeline"), "bench", "ingest"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert no_bench.returncode == 2, no_bench.stderr
    assert "benchmarks live in the source tree" in no_bench.stderr
    assert len(no_bench.stderr.strip().splitlines()) == 1, no_bench.stderr

    cli("generate", "--customers", "300", "--bikes", "60", "--seed", "3", "--out", "dump")
    cli("ingest", "--customers", "dump/customers.csv", "--bikes", "dump/bikes.csv")
    cli("simulate", "--scenario", "seed", "--days", "2")
    report = cli(
        "report", "--replications", "2", "--days", "1", "--scenarios", "seed", "--workers", "1"
    )
    assert "Report: " in report
    assert any((elsewhere / "home" / "reports").glob("*/report.html"))
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        customers = conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one()
        events = conn.execute(sa.text("SELECT count(*) FROM core.events")).scalar_one()
    engine.dispose()
    assert customers == 300
    assert events > 0
