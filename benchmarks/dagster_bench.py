"""`bike-pipeline bench dagster`: what Dagster adds to the work it orchestrates.

In the same run, on a throwaway application database and a throwaway Dagster instance:
- `ingest_dump` through Dagster's CLI (`dagster job execute`) against the same dump
  ingested by `bike-pipeline ingest` (the anchor), both as fresh processes (goal: 2x), and
  beside them Dagster's floor (a one-op job doing nothing through the same CLI and
  instance) and the least ingest_dump can take through the CLI (the floor plus, timed
  without Dagster, importing the ingest, ingesting, and building the Definitions);
- "Materialize all" (`dagster asset materialize --select '*'`) against the sum of its own
  steps' durations from the instance (goal: 1.5x; `--no-materialize-all` skips it);
- how long `bike-pipeline ui` takes to answer HTTP (goal: 15 s; `--no-ui` skips it);
- importing `bike_pipeline.definitions` and building its Definitions in a fresh interpreter,
  what every run and step subprocess pays (goal: 1.5 s), wall and CPU time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click

from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.settings import DATABASE_URL_VAR, GRAPH_URL_VAR, REDIS_URL_VAR, Settings

BIN = Path(sys.executable).parent
GOAL_INGEST = 2.0
GOAL_ALL = 1.5
GOAL_UI_S = 15.0
GOAL_IMPORT_S = 1.5
UI_TIMEOUT_S = 180.0


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise click.ClickException(f"{' '.join(command[:4])} failed:\n{done.stderr[-3000:]}")
    return seconds


def _steps_seconds(home: Path, job_name: str) -> tuple[float, int]:
    """The summed step durations of the latest run of `job_name` and its step count."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs(filters=dg.RunsFilter(job_name=job_name), limit=1)
        stats = instance.get_run_step_stats(run.run_id)
    total = sum((s.end_time or 0) - (s.start_time or 0) for s in stats if s.start_time)
    return total, len(stats)


NOOP_MODULE = "bench_noop_job"
NOOP_JOB = """import dagster as dg


@dg.op
def nothing() -> None:
    pass


@dg.job(executor_def=dg.in_process_executor)
def noop():
    nothing()
"""


def _noop_job_seconds(folder: Path, env: dict[str, str]) -> float:
    """Wall time of `dagster job execute` of a one-op job doing nothing, run in process and
    loaded by module as ingest_dump is, on the same instance: what any job pays through the
    CLI (interpreter, Dagster, instance, run and its events), whatever it does (the second
    of two, warm)."""
    (folder / f"{NOOP_MODULE}.py").write_text(NOOP_JOB)
    path = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    with_module = {**env, "PYTHONPATH": path}
    command = [str(BIN / "dagster"), "job", "execute", "-m", NOOP_MODULE, "-j", "noop"]
    _timed(command, with_module)
    return _timed(command, with_module)


INSIDE_THE_JOB = """import sys, time
from pathlib import Path
import dagster, dagster_postgres, psycopg2  # the floor's: the CLI, the instance's storage
import bike_pipeline.definitions as d
marks = [time.perf_counter()]
d.defs()
marks.append(time.perf_counter())
from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.ingest.pipeline import check_file, ingest_file
from bike_pipeline.settings import Settings
marks.append(time.perf_counter())
files = {"customers": Path(sys.argv[1]), "bikes": Path(sys.argv[2])}
for kind, path in files.items():
    check_file(path, kind)
engine = app_engine(Settings.from_env())
for kind, path in files.items():
    ingest_file(engine, path, kind)
marks.append(time.perf_counter())
print(*(later - earlier for earlier, later in zip(marks, marks[1:])))
"""


def _inside_the_job(files: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds to build the Definitions, then import what the ingest needs beyond them,
    then ingest the dump called directly: in one fresh interpreter that has already
    imported what Dagster's floor imports, so none of it is counted twice."""
    done = subprocess.run(
        [sys.executable, "-c", INSIDE_THE_JOB, *files], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise click.ClickException(f"timing the work inside the job failed:\n{done.stderr[-3000:]}")
    build, imports, work = (float(word) for word in done.stdout.split()[-3:])
    return build, imports, work


def _floor_lines(folder: Path, env: dict[str, str], files: list[str], anchor: float) -> None:
    """Dagster's floor and, from it, the least any ingest_dump through the CLI can take:
    the floor plus what the job must do beyond it, measured without Dagster (importing the
    ingest and ingesting; then building the Definitions). The bound is low, never high: it
    leaves out every step's own cost in Dagster."""
    version = _timed([str(BIN / "dagster"), "--version"], env)
    floor = _noop_job_seconds(folder, env)
    build, imports, work = _inside_the_job(files, env)
    bare = floor + imports + work
    click.echo(
        f"Dagster's floor: `dagster --version` {version:.2f} s ({version / anchor:.2f}x "
        f"bike-pipeline ingest); a one-op in-process job doing nothing via dagster CLI on the "
        f"same instance {floor:.2f} s ({floor / anchor:.2f}x)"
    )
    click.echo(
        f"least ingest_dump via dagster CLI can take: that floor {floor:.2f} s + importing the "
        f"ingest {imports:.2f} s + ingesting called directly {work:.2f} s = {bare:.2f} s, "
        f"{bare / anchor:.2f}x bike-pipeline ingest, were the Definitions and the steps free; "
        f"+ building the Definitions {build:.2f} s = {bare + build:.2f} s, "
        f"{(bare + build) / anchor:.2f}x (goal {GOAL_INGEST}x)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ui_answer_seconds(env: dict[str, str]) -> float:
    port = _free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "bike-pipeline"), "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - start < UI_TIMEOUT_S:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.2)
        raise click.ClickException(f"bike-pipeline ui did not answer in {UI_TIMEOUT_S:.0f} s")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()


def _verdict(ratio: float, goal: float) -> str:
    return "met" if ratio <= goal else "NOT met"


@click.command()
@click.option("--data-dir", default="data", show_default=True, help="The dump to ingest.")
@click.option(
    "--materialize-all/--no-materialize-all", default=True, help="Time Materialize all (minutes)."
)
@click.option("--ui/--no-ui", "with_ui", default=True, help="Time `bike-pipeline ui` answering.")
def dagster(data_dir: str, materialize_all: bool, with_ui: bool) -> None:
    """Dagster's overhead: jobs' wall time against the same work called directly."""
    settings = Settings.from_env()
    urls = services.services_up(settings)
    customers = str(Path(data_dir, "customers.csv").resolve())
    bikes = str(Path(data_dir, "bikes.csv").resolve())
    load = "import time, bike_pipeline.definitions as d; d.defs(); print(time.process_time())"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, check=True)
    importing = time.perf_counter() - start
    cpu = float(done.stdout.split()[-1])
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dagster"], check=True)
    dagster_alone = time.perf_counter() - start
    click.echo(
        f"import bike_pipeline.definitions and build its Definitions: {importing:.2f} s wall, "
        f"{cpu:.2f} s CPU (goal {GOAL_IMPORT_S} s): {_verdict(importing, GOAL_IMPORT_S)}; "
        f"`import dagster` alone {dagster_alone:.2f} s wall, so the project's own part "
        f"{importing - dagster_alone:.2f} s"
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench_dagster_") as folder,
        scratch_database(urls.database_url, "bench_dagster_app") as app_url,
        scratch_database(urls.database_url, "bench_dagster_runs") as dagster_url,
    ):
        home = write_instance_yaml(Path(folder) / "dagster", dagster_url)
        env = {
            **os.environ,
            DATABASE_URL_VAR: app_url,
            REDIS_URL_VAR: urls.redis_url,
            GRAPH_URL_VAR: urls.graph_url,
            "DAGSTER_HOME": str(home),
        }
        ingest_args = ["--customers", customers, "--bikes", bikes]
        _timed([str(BIN / "bike-pipeline"), "ingest", *ingest_args], env)  # schema, warm
        anchor = _timed([str(BIN / "bike-pipeline"), "ingest", *ingest_args], env)
        config = Path(folder) / "ingest.yaml"
        config.write_text(
            "ops:\n"
            f"  customers: {{config: {{path: '{customers}'}}}}\n"
            f"  bikes: {{config: {{path: '{bikes}'}}}}\n"
        )
        job = [str(BIN / "dagster"), "job", "execute", "-m", "bike_pipeline.definitions"]
        # warm as the anchor is: Dagster's schema created and the dump loaded once
        _timed([*job, "-j", "ingest_dump", "-c", str(config)], env)
        ours = _timed([*job, "-j", "ingest_dump", "-c", str(config)], env)
        steps, count = _steps_seconds(home, "ingest_dump")
        ratio = ours / anchor
        click.echo(
            f"ingest_dump via dagster CLI {ours:.1f} s vs bike-pipeline ingest {anchor:.1f} s: "
            f"{ratio:.2f}x (goal {GOAL_INGEST}x): {_verdict(ratio, GOAL_INGEST)}; "
            f"its {count} steps took {steps:.1f} s"
        )
        _floor_lines(Path(folder), env, [customers, bikes], anchor)
        if materialize_all:
            wall = _timed(
                [
                    str(BIN / "dagster"),
                    "asset",
                    "materialize",
                    "-m",
                    "bike_pipeline.definitions",
                    "--select",
                    "*",
                ],
                env,
            )
            steps, count = _steps_seconds(home, "__ASSET_JOB")
            ratio = wall / steps if steps else float("inf")
            click.echo(
                f"Materialize all {wall:.1f} s for {count} steps of {steps:.1f} s: "
                f"{ratio:.2f}x (goal {GOAL_ALL}x): {_verdict(ratio, GOAL_ALL)}"
            )
        if with_ui:
            seconds = _ui_answer_seconds(dict(os.environ))
            click.echo(
                f"bike-pipeline ui answered after {seconds:.1f} s (goal {GOAL_UI_S:.0f} s): "
                f"{_verdict(seconds, GOAL_UI_S)}"
            )
