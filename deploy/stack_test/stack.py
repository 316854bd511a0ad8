"""docker-compose.yaml with deploy/compose.test.yaml on top, and the checks run against it."""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from budget import Budget, run
from engine import docker
from images import ROOT

PROJECT = "bike_pipeline_stack_test"
PORTS = (
    "POSTGRES_PORT",
    "FALKORDB_PORT",
    "FALKORDB_BROWSER_PORT",
    "DAGSTER_PORT",
    "DASHBOARD_PORT",
)
HEALTH_TIMEOUT_S = 420
RUN_TIMEOUT_S = 300
TICK_LINE = re.compile(r"^\S*\s*\|?\s*tick \d+ .*\| totals ", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_env(folder: Path) -> dict[str, str]:
    """A .env with fresh passwords and keys and free host ports (5432 and 6379 are taken)."""
    env = {
        "BIKE_PIPELINE_PII_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "BIKE_PIPELINE_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "POSTGRES_USER": "bike",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_RELAY_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_READER_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_GRAPH_PASSWORD": secrets.token_urlsafe(24),
        "BIKE_PIPELINE_EVENTS_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PUBLISH_ADDRESS": "127.0.0.1",
        **{name: str(_free_port()) for name in PORTS},
    }
    path = folder / ".env"
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    path.chmod(0o600)
    return env


SERVICES = 10  # docker-compose.yaml's, the Dask scheduler and its two workers included
REPORT = ("bike-pipeline", "report", "--json", "--replications", "2", "--days", "2")
REPLICATIONS_ON_DASK = """import distributed
client = distributed.Client("tcp://dask-scheduler:8786", timeout=30)
records = client.get_task_stream(start=0)
print(len({r["worker"] for r in records if str(r["key"]).startswith("replicate-")}),
      sum(str(r["key"]).startswith("replicate-") for r in records))
"""


class Stack:
    def __init__(self, env_file: Path, env: dict[str, str], budget: Budget) -> None:
        self.env_file = env_file
        self.env = env
        self.budget = budget
        self.compose = [
            "docker-compose",
            "--project-name",
            PROJECT,
            "--env-file",
            str(env_file),
            "-f",
            str(ROOT / "docker-compose.yaml"),
            "-f",
            str(ROOT / "deploy" / "compose.test.yaml"),
        ]

    def __call__(self, *args: str, capture: bool = False, check: bool = True) -> str:
        done = run([*self.compose, *args], self.budget, capture=capture, check=check, cwd=ROOT)
        return done.stdout if capture else ""

    def up(self) -> None:
        self("up", "--detach", "--no-build")
        self.wait_healthy()

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + min(HEALTH_TIMEOUT_S, self.budget.left())
        ids = self("ps", "--quiet", capture=True).split()
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            inspect = subprocess.run(
                [
                    docker(),
                    "inspect",
                    "--format",
                    '{{index .Config.Labels "com.docker.compose.service"}} '
                    "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
                    *ids,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split("\n")
            states = {line.split()[0]: " ".join(line.split()[1:]) for line in inspect if line}
            print("  " + ", ".join(f"{k}: {v}" for k, v in sorted(states.items())), flush=True)
            if any(
                s.startswith(("exited", "dead")) or s.endswith("unhealthy") for s in states.values()
            ):
                break
            if len(states) == SERVICES and all(s == "running healthy" for s in states.values()):
                return
            time.sleep(5)
        self("logs", "--tail", "60", check=False)
        raise RuntimeError(f"the stack did not become healthy: {states}")

    def exec(self, service: str, *command: str, capture: bool = False) -> str:
        return self("exec", "-T", service, *command, capture=capture)

    def logs(self, service: str) -> str:
        return self("logs", "--no-color", service, capture=True)

    def down(self, *extra: str) -> None:
        self("down", *extra, check=False)


def report_on_dask_equals_local(stack: Stack) -> None:
    """The same report in the code container through the compose Dask workers (its
    BIKE_PIPELINE_DASK_SCHEDULER) and on the container's own cores (the variable empty, a
    home of its own so no cache is shared): equal figures, the first from both workers."""
    stack.exec("code", "python", "-c", REPLICATIONS_ON_DASK)  # starts the task stream
    on_dask = json.loads(stack.exec("code", *REPORT, "--name", "on-dask", capture=True))
    workers, replications = map(int, stack.exec(
        "code", "python", "-c", REPLICATIONS_ON_DASK, capture=True
    ).split())  # fmt: skip
    assert workers == 2 and replications > 100, (workers, replications)
    local = json.loads(stack(
        "exec", "-T", "-e", "BIKE_PIPELINE_DASK_SCHEDULER=", "-e",
        "BIKE_PIPELINE_HOME=/tmp/local-report", "code", *REPORT, "--name", "local",
        capture=True,
    ))  # fmt: skip
    for figures in (on_dask, local):
        figures.pop("report_dir", None)
    different = sorted(  # compared as JSON text: a NaN equals itself there
        k
        for k in on_dask.keys() | local.keys()
        if json.dumps(on_dask.get(k)) != json.dumps(local.get(k))
    )
    assert not different, f"Dask and local reports differ in {different}"
    print(f"  {replications} replications on 2 Dask workers; {len(on_dask)} figures equal")


def _http(url: str, payload: dict[str, Any] | None = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def server_info(env: dict[str, str]) -> None:
    info = _http(f"http://127.0.0.1:{env['DAGSTER_PORT']}/server_info")
    assert "dagster_webserver_version" in info, info
    print(f"  webserver {info['dagster_webserver_version']}, dagster {info['dagster_version']}")


JOBS_QUERY = """{ repositoriesOrError { __typename
  ... on RepositoryConnection { nodes { name location { name } jobs { name } } } } }"""
LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
  ... on LaunchRunSuccess { run { runId status } }
  ... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"""
SENSOR_TICKS = """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) { __typename
  ... on Sensor { sensorState { status ticks(limit: 5) { status skipReason } } } } }"""
SENSOR_TIMEOUT_S = 120


def _graphql(env: dict[str, str], query: str, variables: dict[str, Any] | None = None) -> Any:
    url = f"http://127.0.0.1:{env['DAGSTER_PORT']}/graphql"
    answer = _http(url, {"query": query, "variables": variables or {}})
    assert "errors" not in answer, answer
    return answer["data"]


def ingestion_job(env: dict[str, str]) -> tuple[dict[str, str], str]:
    """The selector of the ingestion job: `ingest_dump`, or the first job named ingest*."""
    repositories = _graphql(env, JOBS_QUERY)["repositoriesOrError"]
    assert repositories["__typename"] == "RepositoryConnection", repositories
    for repository in repositories["nodes"]:
        names = [job["name"] for job in repository["jobs"]]
        chosen = (
            "ingest_dump"
            if "ingest_dump" in names
            else next((name for name in names if name.startswith("ingest")), None)
        )
        if chosen:
            selector = {
                "repositoryLocationName": repository["location"]["name"],
                "repositoryName": repository["name"],
                "jobName": chosen,
            }
            return selector, chosen
    raise AssertionError(f"no ingestion job in {repositories}")


def launch_and_wait(env: dict[str, str], budget: Budget) -> str:
    """Launch the ingestion job through GraphQL: queued, then run by the daemon to SUCCESS."""
    selector, name = ingestion_job(env)
    launched = _graphql(env, LAUNCH, {"p": {"selector": selector, "runConfigData": {}}})
    result = launched["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id, status = result["run"]["runId"], result["run"]["status"]
    print(f"  launched {name}: run {run_id} {status}", flush=True)
    assert status == "QUEUED", f"the queued run coordinator should queue the run, got {status}"
    deadline = time.monotonic() + min(RUN_TIMEOUT_S, budget.left())
    while time.monotonic() < deadline:
        status = run_status(env, run_id)
        if status in {"SUCCESS", "FAILURE", "CANCELED"}:
            break
        time.sleep(3)
    assert status == "SUCCESS", f"run {run_id} of {name} ended {status}"
    print(f"  run {run_id} of {name}: SUCCESS", flush=True)
    return run_id


def sensors_act(env: dict[str, str], budget: Budget) -> None:
    """The daemon evaluates the project's sensors on the stack's own Dagster home (declared by
    BIKE_PIPELINE_DAGSTER_HOME) and they act: `inbox_dumps` is RUNNING and its ticks do not
    skip as on a foreign instance ("not acting: ...")."""
    selector, _ = ingestion_job(env)
    sensor = {
        "repositoryLocationName": selector["repositoryLocationName"],
        "repositoryName": selector["repositoryName"],
        "sensorName": "inbox_dumps",
    }
    deadline = time.monotonic() + min(SENSOR_TIMEOUT_S, budget.left())
    while True:
        answer = _graphql(env, SENSOR_TICKS, {"s": sensor})["sensorOrError"]
        assert answer["__typename"] == "Sensor", answer
        state = answer["sensorState"]
        assert state["status"] == "RUNNING", state
        refused = [t for t in state["ticks"] if (t["skipReason"] or "").startswith("not acting")]
        assert not refused, f"inbox_dumps refuses the stack's instance: {refused[0]}"
        if state["ticks"]:
            print(f"  inbox_dumps: {len(state['ticks'])} ticks, none refused", flush=True)
            return
        assert time.monotonic() < deadline, "inbox_dumps never ticked"
        time.sleep(3)


def run_status(env: dict[str, str], run_id: str) -> str:
    answer = _graphql(env, STATUS, {"id": run_id})["runOrError"]
    assert answer["__typename"] == "Run", answer
    return answer["status"]


def dashboard_in_chromium(env: dict[str, str], profile: Path) -> None:
    """The dashboard page renders its charts in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path="/usr/bin/chromium", headless=True, args=flags
        )
        try:
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{env['DASHBOARD_PORT']}/")
            page.wait_for_selector("#counts-chart .main-svg", timeout=60_000)
            print(f"  dashboard: '{page.title()}' drew its charts", flush=True)
        finally:
            context.close()


def listener_ticks(stack: Stack) -> None:
    lines = TICK_LINE.findall(stack.logs("listener"))
    assert lines, "the listener's log has no per-tick summary line"
    print(f"  listener: {len(lines)} per-tick summary lines", flush=True)


def _psql(env: dict[str, str], sql: str, budget: Budget) -> subprocess.CompletedProcess[str]:
    command = [
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-v",
        "VERBOSITY=verbose",
        "-At",
        "-h",
        "127.0.0.1",
        "-p",
        env["POSTGRES_PORT"],
        "-U",
        env["POSTGRES_USER"],
        "-d",
        "bike_pipeline",
        "-c",
        "\\set VERBOSITY verbose",
        "-c",
        sql,
    ]
    return run(
        command,
        budget,
        capture=True,
        check=False,
        env={"PGPASSWORD": env["POSTGRES_PASSWORD"], "PATH": "/usr/bin:/bin"},
    )


def bi_reader_cannot_read_core(env: dict[str, str], budget: Budget) -> None:
    done = _psql(env, "SET ROLE bi_reader; SELECT count(*) FROM core.customers", budget)
    assert done.returncode != 0 and "42501" in done.stderr, (done.stdout, done.stderr)
    print("  bi_reader on core.customers: SQLSTATE 42501 (permission denied)", flush=True)


def persisted_counts(stack: Stack, env: dict[str, str], budget: Budget) -> tuple[str, str]:
    """Customers in PostgreSQL and the length of the Redis event stream."""
    done = _psql(env, "SELECT count(*) FROM core.customers", budget)
    assert done.returncode == 0, done.stderr
    stream = stack.exec(
        "falkordb",
        "sh",
        "-c",
        'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --user admin XLEN bike_pipeline.events',
        capture=True,
    )
    return done.stdout.strip(), stream.strip()
