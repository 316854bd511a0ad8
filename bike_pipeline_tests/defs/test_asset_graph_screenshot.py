"""The UI as a user meets it: `bike-pipeline ui` (servers, then `dg dev` on the project's
DAGSTER_HOME) on the session's servers, the ingestion assets materialised through its
GraphQL API, the asset graph photographed in headless Chromium into docs/asset_graph.png
(the README's picture), then "Materialize all" launched as the UI does: no partition, and
every check of the run passes."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bike_pipeline import services
from bike_pipeline.cli.ui import STOP_TIMEOUT_S
from bike_pipeline_tests.dashboard.browser import headless_chromium
from bike_pipeline_tests.defs.dagster_cli import PROJECT_ROOT, dagster_env
from bike_pipeline_tests.defs.test_dagster_cli import DUMP_CHECKS, QUICK_REPORT

FILE_CHECKS = {
    ("customers_dump", "customers_file_has_its_header"),
    ("bikes_dump", "bikes_file_has_its_header"),
}
# "Materialize all" with short simulations and reports (the defaults take many minutes)
QUICK_ALL = {
    "ops": {
        "simulate_ticks": {"config": {"days": 1}},
        "six_month_simulation": {"config": {"days": 1}},
        "fleet_report": {"config": QUICK_REPORT},
        "six_month_fleet_report": {"config": QUICK_REPORT},
    }
}

SCREENSHOT = PROJECT_ROOT / "docs" / "asset_graph.png"
LOCATION = "bike_pipeline"  # workspace.yaml
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 600
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
RUN_STATUS = """
query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""
CHECKS = """
query Checks($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      eventConnection(limit: 1000) {
        events { __typename ... on AssetCheckEvaluationEvent {
          evaluation { assetKey { path } checkName success }
        }
      }
      }
    }
  }
}"""
GROUPS = ("ingest", "simulation", "events", "privacy", "graph", "reporting")
GRAPH_NODES = (
    "customers_dump",
    "customers",
    "simulated_world",
    "simulation_events",
    "bi_events",
    "rental_graph",
    "fleet_report",
)
VIEWPORT = {"width": 1900, "height": 1500}
POP_UP_WAIT_MS = 15_000
SIDEBAR_TOGGLE = (339, 80)  # the asset list beside the graph
ZOOM_OUT = (VIEWPORT["width"] - 28, VIEWPORT["height"] - 148)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(url: str, query: str, variables: dict) -> dict:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        f"{url}graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _as_a_background_job() -> None:
    """A shell starts a background job with SIGINT ignored (and Python keeps it so)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def bike_pipeline_ui(env: dict[str, str], log: Path) -> Iterator[str]:
    """`bike-pipeline ui` started as a shell's background job, stopped by SIGINT as `kill
    -INT` or Ctrl+C would: it must still stop, exit 0 and leave no Dagster process behind."""
    port = _free_port()
    command = [sys.executable, "-m", "bike_pipeline.cli", "ui", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_as_a_background_job,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"bike-pipeline ui did not start:\n{log.read_text()[-4000:]}")
                time.sleep(0.5)
            assert f"Dagster UI on {url}" in log.read_text()
            yield url
        finally:
            started = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGINT)
            try:
                code = process.wait(timeout=STOP_TIMEOUT_S + 30)
            except subprocess.TimeoutExpired:
                for child in [process, *started]:
                    with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
                        child.kill()
                raise
    assert code == 0, f"bike-pipeline ui ended {code} on SIGINT:\n{log.read_text()[-4000:]}"
    _, alive = psutil.wait_procs(started, timeout=30)
    assert not alive, f"left running after bike-pipeline ui stopped: {alive}"


def _launch(url: str, job: str, run_config: dict, assets: list[list[str]] | None = None) -> str:
    """Launch `job` as the UI does and wait for it to succeed; return its run id."""
    params: dict = {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": "__repository__",
            "pipelineName": job,
        },
        "runConfigData": run_config,
        "mode": "default",
    }
    if assets is not None:
        params["selector"]["assetSelection"] = [{"path": path} for path in assets]
    launched = _graphql(url, LAUNCH, {"params": params})["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    status = "QUEUED"
    while status not in ("SUCCESS", "FAILURE", "CANCELED") and time.monotonic() < deadline:
        time.sleep(2)
        status = _graphql(url, RUN_STATUS, {"runId": run_id})["runOrError"]["status"]
    assert status == "SUCCESS", f"run {run_id} ended {status}"
    return run_id


def _check_results(url: str, run_id: str) -> dict[tuple[str, str], bool]:
    events = _graphql(url, CHECKS, {"runId": run_id})["runOrError"]["eventConnection"]
    return {
        (e["evaluation"]["assetKey"]["path"][-1], e["evaluation"]["checkName"]): e["evaluation"][
            "success"
        ]
        for e in events["events"]
        if e["__typename"] == "AssetCheckEvaluationEvent"
    }


def _materialisable_assets() -> list[list[str]]:
    """Every asset "Materialize all" selects: all but the observable dump files."""
    from bike_pipeline.definitions import defs

    graph = defs().resolve_asset_graph()
    return [key.path for key in graph.materializable_asset_keys]


def _photograph(page: Page, url: str) -> None:
    """The global lineage with every group expanded, navigation hidden, zoomed out to fit."""
    page.set_viewport_size(VIEWPORT)
    expanded = quote(",".join(f"global@global:{group}" for group in GROUPS))
    page.goto(f"{url}asset-groups?expanded={expanded}", wait_until="networkidle")
    for name in GRAPH_NODES:
        page.locator("foreignObject").get_by_text(name, exact=True).first.wait_for(timeout=60_000)
    # a fresh profile gets the community pop-up once, a moment after the page
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_role("button", name="Skip").click(timeout=POP_UP_WAIT_MS)
    page.get_by_role("button", name="Hide navigation").click()
    page.mouse.click(*SIDEBAR_TOGGLE)
    for _ in range(2):
        page.mouse.click(*ZOOM_OUT)
        page.wait_for_timeout(500)
    page.wait_for_timeout(2000)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_ingest_through_graphql_and_photograph_the_asset_graph(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    env = dagster_env(database_url, servers, tmp_path / "not_used")
    del env["DAGSTER_HOME"]  # the command sets the project's own
    with bike_pipeline_ui(env, tmp_path / "ui.log") as url:
        # ingest_dump observes the dump files, then ingests them
        checks = _check_results(url, _launch(url, "ingest_dump", {}))
        with headless_chromium(tmp_path / "profile") as browser:
            _photograph(browser.new_page(), url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one() > 0
        assert conn.execute(sa.text("SELECT count(*) FROM core.bikes")).scalar_one() > 0
    assert checks == dict.fromkeys(DUMP_CHECKS | FILE_CHECKS, True)
    assert SCREENSHOT.stat().st_size > 20_000


def test_materialize_all_through_graphql_needs_no_partition_and_every_check_passes(
    database_url: str, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    env = dagster_env(database_url, servers, tmp_path / "not_used")
    del env["DAGSTER_HOME"]  # the command sets the project's own
    assets = _materialisable_assets()
    with bike_pipeline_ui(env, tmp_path / "ui.log") as url:
        everything = _check_results(url, _launch(url, "__ASSET_JOB", QUICK_ALL, assets))
    checked = {asset for asset, _ in everything}
    assert checked == {path[-1] for path in assets}  # a check on every asset it materialised
    assert all(everything.values()), everything
