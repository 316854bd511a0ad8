"""`tasks.py` installs with uv when pip can get it, and says so and falls back to pip when it
cannot (an index without uv, no network): the fallback's decision, on a real venv."""

from __future__ import annotations

import importlib.util
import venv
from pathlib import Path
from types import ModuleType

import pytest

TASKS = Path(__file__).resolve().parents[1] / "tasks.py"


def _tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_tasks", TASKS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_uv_to_be_had_the_install_falls_back_to_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = _tasks()
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    monkeypatch.setattr(tasks, "BIN", env / "bin")
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    assert not tasks._uv_available()
    assert not (env / "bin" / "uv").exists()


def test_a_failing_step_is_reported_not_raised() -> None:
    tasks = _tasks()
    assert tasks._try(["python3", "-c", "raise SystemExit(3)"]) is False
    assert tasks._try(["python3", "-c", "pass"]) is True


def test_the_suite_runs_on_workers_unless_the_caller_chooses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = _tasks()
    monkeypatch.setattr(tasks.os, "cpu_count", lambda: 2)
    assert tasks._workers(["-k", "ingest"]) == ["--numprocesses", "2"]
    monkeypatch.setattr(tasks.os, "cpu_count", lambda: 32)
    assert tasks._workers([]) == ["--numprocesses", "4"]
    for chosen in (["-n", "0"], ["-n0"], ["--numprocesses=3"], ["-p", "no:xdist"]):
        assert tasks._workers(chosen) == [], chosen
