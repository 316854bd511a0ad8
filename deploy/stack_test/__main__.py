"""`python3 tasks.py stack-test`: the production compose stack, built and tested for real.

Installs the engine when missing, starts `dockerd` when none runs, builds local images
(no registry), brings up docker-compose.yaml with deploy/compose.test.yaml, waits for every
healthcheck and checks the deployment end to end; then `down --volumes`, removes the images
it built and stops the `dockerd` it started. Each step's time is printed; exit 1 on failure.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from types import FrameType

import images
import stack as checks
from budget import Budget
from engine import Daemon, install_missing

DEFAULT_BOUND_S = 23 * 60  # .ci/run's 25-minute bound, minus room for the clean-up


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _checks(stack: checks.Stack, env: dict[str, str], budget: Budget, temp: Path) -> None:
    with budget.step("bike-pipeline run --days 1 in the code container"):
        stack.exec("code", "bike-pipeline", "run", "--days", "1")
    with budget.step("a report through the Dask scheduler and workers, and locally: equal"):
        checks.report_on_dask_equals_local(stack)
    with budget.step("webserver /server_info, a job launched through GraphQL, sensors act"):
        checks.server_info(env)
        run_id = checks.launch_and_wait(env, budget)
        checks.sensors_act(env, budget)
    with budget.step("dashboard in headless Chromium"):
        checks.dashboard_in_chromium(env, temp / "chromium-profile")
    with budget.step("listener per-tick summaries, bi_reader refused on core"):
        checks.listener_ticks(stack)
        checks.bi_reader_cannot_read_core(env, budget)
    with budget.step("down, up: the data is kept"):
        before = checks.persisted_counts(stack, env, budget)
        stack.down()
        stack.up()
        after = checks.persisted_counts(stack, env, budget)
        assert before == after, f"customers and stream length {before} became {after}"
        assert checks.run_status(env, run_id) == "SUCCESS", "the Dagster run history was lost"
        print(f"  kept: {before[0]} customers, {before[1]} stream entries, run {run_id}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 tasks.py stack-test")
    parser.add_argument("--bound", type=float, default=DEFAULT_BOUND_S, help="seconds")
    parser.add_argument(
        "--keep-images", action="store_true", help="keep the built images for the next run"
    )
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    budget = Budget(options.bound)
    built = images.Built()
    failed = False
    with tempfile.TemporaryDirectory(prefix="bike-stack-test-") as folder:
        temp = Path(folder)
        daemon = Daemon(temp / "dockerd.log")
        stack: checks.Stack | None = None
        try:
            with budget.step("engine (install when missing, dockerd)"):
                install_missing(budget)
                daemon.ensure(budget)
            with budget.step("base image (debootstrap bookworm minbase)"):
                images.base_image(budget, built)
            with budget.step("python image"):
                images.python_image(budget, built)
            with budget.step("postgresql and falkordb images"):
                images.server_images(budget, built)
            with budget.step("project image"):
                images.app_image(budget, built)
            env = checks.write_env(temp)
            stack = checks.Stack(temp / ".env", env, budget)
            with budget.step("compose up until every service is healthy"):
                stack.up()
            _checks(stack, env, budget, temp)
        except (Exception, SystemExit):
            failed = True
            traceback.print_exc()
        finally:
            cleanup = Budget(300)
            with cleanup.step("clean up (down --volumes, images, dockerd)"):
                if stack is not None:
                    stack.budget = cleanup
                    stack.down("--volumes", "--remove-orphans")
                if not options.keep_images and daemon.answers():
                    images.remove(built, cleanup)
                daemon.stop()
            budget.steps.extend(cleanup.steps)
    print("\nStep times:")
    for name, took in budget.steps:
        print(f"  {took:6.0f} s  {name}")
    print("stack test FAILED" if failed else "stack test passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
