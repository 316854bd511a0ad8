"""docker-compose.yaml without a Docker engine: what can be checked here, is.

`docker-compose config` (Debian's `docker-compose` package, or the `docker compose`
plugin) validates and interpolates the file; the rest parses it: every service's command
resolves to a real command of the installed package with options it accepts, the
environment is CONTRACT section 3's, every stateful service keeps its data on a named
volume, and Dagster's instance and workspace files pass Dagster's own validation.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from bike_pipeline.events.signature import EVENTS_KEY_VAR
from bike_pipeline.settings import (
    APP_DATABASE,
    DAGSTER_DATABASE,
    DAGSTER_HOME_VAR,
    DASK_SCHEDULER_VAR,
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    PII_KEY_VAR,
    PSEUDONYM_KEY_VAR,
    REDIS_URL_VAR,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
DEPLOY = ROOT / "deploy"
CONTRACT_VARIABLES = {
    HOME_VAR,
    DATABASE_URL_VAR,
    REDIS_URL_VAR,
    GRAPH_URL_VAR,
    PII_KEY_VAR,
    PSEUDONYM_KEY_VAR,
    EVENTS_KEY_VAR,
    DASK_SCHEDULER_VAR,
    DAGSTER_HOME_VAR,
}
DASK_SERVICES = ("dask-scheduler", "dask-worker-1", "dask-worker-2")
MISSING_COMPOSE = (
    "neither `docker-compose` nor the `docker compose` plugin is installed, and this test "
    "validates docker-compose.yaml with it: run `apt-get update && apt-get install -y "
    "docker-compose` (Debian's package; no Docker engine is needed for `config`)"
)
RELAY_URL = (
    "redis://relay:${REDIS_RELAY_PASSWORD:?set REDIS_RELAY_PASSWORD in .env}@falkordb:6379/0"
)
READER_URL = (
    "redis://reader:${REDIS_READER_PASSWORD:?set REDIS_READER_PASSWORD in .env}@falkordb:6379/0"
)
GRAPH_URL = (
    "redis://graph:${REDIS_GRAPH_PASSWORD:?set REDIS_GRAPH_PASSWORD in .env}@falkordb:6379/0"
)
READERS = {"listener", "dashboard"}
REDIS_SECRETS = (
    "REDIS_PASSWORD",
    "REDIS_RELAY_PASSWORD",
    "REDIS_READER_PASSWORD",
    "REDIS_GRAPH_PASSWORD",
)
TEST_OVERRIDE = DEPLOY / "compose.test.yaml"
CONTAINER_FILES = {"/opt/dagster/home/workspace.yaml": DEPLOY / "workspace.yaml"}
STATEFUL_PATHS = {"postgres": "/var/lib/postgresql/data", "falkordb": "/var/lib/falkordb/data"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _project_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the project's own code (not the Dask services from its image)."""
    return {
        name: s
        for name, s in compose["services"].items()
        if "build" in s and name not in DASK_SERVICES
    }


def _compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    pytest.fail(MISSING_COMPOSE, pytrace=False)


def _compose_config(env_file: Path, *overrides: Path) -> subprocess.CompletedProcess[str]:
    """`config` with a clean environment, so only `env_file` feeds the interpolation."""
    command = [*_compose_command(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE)]
    for override in overrides:
        command += ["-f", str(override)]
    clean = {"PATH": os.environ["PATH"], "HOME": str(env_file.parent)}
    return subprocess.run(
        [*command, "config"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _env_example() -> dict[str, str]:
    pairs = re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.MULTILINE)
    return dict(pairs)


def test_docker_compose_config_accepts_the_file_with_the_example_environment(
    tmp_path: Path,
) -> None:
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    done = _compose_config(env_file)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == set(_compose()["services"])
    code_env = resolved["services"]["code"]["environment"]
    assert code_env[PII_KEY_VAR] == _env_example()[PII_KEY_VAR]
    password = _env_example()["POSTGRES_PASSWORD"]
    assert code_env[DATABASE_URL_VAR] == (
        f"postgresql+psycopg2://bike:{password}@postgres:5432/{APP_DATABASE}"
    )
    example = _env_example()
    assert code_env[REDIS_URL_VAR] == (
        f"redis://relay:{example['REDIS_RELAY_PASSWORD']}@falkordb:6379/0"
    )
    listener_env = resolved["services"]["listener"]["environment"]
    assert listener_env[REDIS_URL_VAR] == (
        f"redis://reader:{example['REDIS_READER_PASSWORD']}@falkordb:6379/0"
    )
    falkordb_args = resolved["services"]["falkordb"]["environment"]["REDIS_ARGS"]
    assert "--user default off " in falkordb_args
    assert "--requirepass" not in falkordb_args
    for user, secret in zip(("admin", "relay", "reader", "graph"), REDIS_SECRETS, strict=True):
        assert f"--user {user} on >{example[secret]} " in falkordb_args


def test_the_stack_test_override_swaps_only_the_images_for_local_ones(tmp_path: Path) -> None:
    """deploy/compose.test.yaml (python3 tasks.py stack-test) keeps every service, command,
    healthcheck and volume of docker-compose.yaml and replaces each image by a local one."""
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    production = yaml.safe_load(_compose_config(env_file).stdout)["services"]
    done = _compose_config(env_file, TEST_OVERRIDE)
    assert done.returncode == 0, done.stderr
    tested = yaml.safe_load(done.stdout)["services"]
    assert set(tested) == set(production)
    for name, service in tested.items():
        assert service["image"].startswith("local/"), name
        assert not production[name]["image"].startswith("local/"), name
        for key in ("command", "healthcheck", "environment"):
            assert service.get(key) == production[name].get(key), f"{name}: {key}"
        for key in ("volumes", "ports"):  # compose may list them in another order
            assert sorted(service.get(key, [])) == sorted(production[name].get(key, [])), name


@pytest.mark.parametrize(
    "missing", [PII_KEY_VAR, PSEUDONYM_KEY_VAR, EVENTS_KEY_VAR, "POSTGRES_PASSWORD", *REDIS_SECRETS]
)
def test_docker_compose_config_refuses_to_run_without_a_key_or_password(
    tmp_path: Path, missing: str
) -> None:
    env_file = tmp_path / ".env"
    kept = [f"{k}={v}" for k, v in _env_example().items() if k != missing]
    env_file.write_text("\n".join(kept) + "\n")
    done = _compose_config(env_file)
    assert done.returncode != 0
    assert f"set {missing} in .env" in done.stderr


def _parse(command: click.Command, name: str, args: Sequence[str]) -> list[str]:
    """Parse `args` as the command line of `command` (and its subcommands, recursively),
    as click would before invoking it; return the names of the commands walked through."""
    context = command.make_context(name, list(args))
    if not isinstance(command, click.Group):
        return [name]
    rest = [*getattr(context, "_protected_args", []), *context.args]
    assert rest, f"{name}: a subcommand is missing"
    sub_name, sub, sub_args = command.resolve_command(context, rest)
    assert sub is not None and sub_name is not None
    return [name, *_parse(sub, sub_name, sub_args)]


def _console_script(name: str) -> click.Command:
    """The click command behind an installed console script. Dagster's scripts point at a
    `main()` that calls its module's click group `cli`."""
    [script] = [ep for ep in entry_points(group="console_scripts") if ep.name == name]
    target = script.load()
    if isinstance(target, click.Command):
        return target
    command = importlib.import_module(target.__module__).cli
    assert isinstance(command, click.Command), name
    return command


def _resolve(argv: Sequence[str]) -> list[str]:
    """Parse a container's command line; files the image holds are read from the repository
    (the Dockerfile copies them there, see the instance test)."""
    local = [str(CONTAINER_FILES.get(arg, arg)) for arg in argv]
    return _parse(_console_script(local[0]), local[0], local[1:])


def _healthcheck_argv(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", test
    return test[1:]


def test_every_service_command_and_healthcheck_is_a_command_of_the_installed_package() -> None:
    services = _project_services(_compose())
    assert set(services) == {"code", "webserver", "daemon", "listener", "dashboard"}
    walked = {name: _resolve(s["command"]) for name, s in services.items()}
    assert walked == {
        "code": ["dagster", "code-server", "start"],
        "webserver": ["dagster-webserver"],
        "daemon": ["dagster-daemon", "run"],
        "listener": ["bike-pipeline", "listen"],
        "dashboard": ["bike-pipeline", "dashboard"],
    }
    checks = {name: _healthcheck_argv(s) for name, s in services.items()}
    assert _resolve(checks["code"]) == ["dagster", "api", "grpc-health-check"]
    assert _resolve(checks["daemon"]) == ["dagster-daemon", "liveness-check"]
    for name in ("webserver", "listener", "dashboard"):
        assert checks[name][:2] == ["python", "-c"]
        compile(checks[name][2], f"{name} healthcheck", "exec")


def _option(argv: Sequence[str], *names: str) -> str:
    for i, value in enumerate(argv):
        if value in names:
            return argv[i + 1]
    raise AssertionError(f"none of {names} in {argv}")


def test_the_code_location_is_the_project_and_the_workspace_points_at_it() -> None:
    from dagster._core.workspace.config_schema import ensure_workspace_config

    import bike_pipeline.definitions

    compose = _compose()
    code = compose["services"]["code"]["command"]
    assert _option(code, "-m", "--module-name") == bike_pipeline.definitions.__name__
    bike_pipeline.definitions.defs()
    workspace_path = DEPLOY / "workspace.yaml"
    workspace = yaml.safe_load(workspace_path.read_text())
    ensure_workspace_config(workspace, str(workspace_path))
    [location] = workspace["load_from"]
    server = location["grpc_server"]
    assert server["host"] in compose["services"]
    assert str(server["port"]) == _option(code, "-p", "--port")
    assert server["location_name"] == _option(code, "--location-name")
    for name in ("webserver", "daemon"):
        command = compose["services"][name]["command"]
        assert _option(command, "-w", "--workspace") == "/opt/dagster/home/workspace.yaml"


def test_the_dagster_instance_uses_postgresql_and_the_queued_run_coordinator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config
    from dagster_postgres.utils import pg_url_from_config

    from bike_pipeline.dagster_storage import PooledPostgresStorage

    environment = _project_services(_compose())["code"]["environment"]
    for variable in ("POSTGRES_USER", "POSTGRES_PASSWORD", "DAGSTER_POSTGRES_HOST"):
        monkeypatch.setenv(variable, "x")
    monkeypatch.setenv("DAGSTER_POSTGRES_DB", environment["DAGSTER_POSTGRES_DB"])
    config, _ = dagster_instance_config(str(DEPLOY), "dagster.yaml")
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    custom = config["storage"]["custom"]
    assert (custom["module"], custom["class"]) == (
        "bike_pipeline.dagster_storage",
        "PooledPostgresStorage",
    )
    storage = process_config(PooledPostgresStorage.config_type(), custom["config"])
    assert storage.success, storage.errors
    url = pg_url_from_config(storage.value)
    assert url == f"postgresql+psycopg2://x:x@x:5432/{DAGSTER_DATABASE}"
    init = (DEPLOY / "postgres" / "01-dagster-database.sql").read_text()
    assert f"CREATE DATABASE {DAGSTER_DATABASE};" in init
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"DAGSTER_HOME={environment['DAGSTER_HOME']}" in dockerfile
    # the project's sensors act on this instance only if it is declared the project's
    assert environment["BIKE_PIPELINE_DAGSTER_HOME"] == environment["DAGSTER_HOME"]
    assert f"BIKE_PIPELINE_DAGSTER_HOME={environment['DAGSTER_HOME']}" in dockerfile
    assert f"COPY deploy/dagster.yaml deploy/workspace.yaml {environment['DAGSTER_HOME']}/" in (
        dockerfile
    )


def test_the_environment_is_the_contracts_and_every_variable_is_in_the_example() -> None:
    text = COMPOSE_FILE.read_text()
    example = _env_example()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert used <= set(example), f"not in .env.example: {sorted(used - set(example))}"
    for key in (
        PII_KEY_VAR,
        PSEUDONYM_KEY_VAR,
        EVENTS_KEY_VAR,
        "POSTGRES_PASSWORD",
        *REDIS_SECRETS,
    ):
        assert example[key].startswith("replace-with"), f"{key} must be a placeholder"
    listed = set(re.findall(r"BIKE_PIPELINE_[A-Z_]+", ENV_EXAMPLE.read_text()))
    assert listed == CONTRACT_VARIABLES
    for name, service in _project_services(_compose()).items():
        variables = {k for k in service["environment"] if k.startswith("BIKE_PIPELINE_")}
        assert variables == CONTRACT_VARIABLES, name
        redis_url = READER_URL if name in READERS else RELAY_URL
        assert service["environment"][REDIS_URL_VAR] == redis_url
        assert service["environment"][GRAPH_URL_VAR] == GRAPH_URL
        assert "dagster" not in service["environment"][DATABASE_URL_VAR]


def test_stateful_services_keep_their_data_on_named_volumes() -> None:
    compose = _compose()
    declared = set(compose["volumes"])
    mounts: dict[str, dict[str, str]] = {}
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("."):  # a bind mount: only read-only configuration
                assert volume.endswith(":ro"), f"{name}: {volume}"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                mounts.setdefault(name, {})[target] = source
    for name, path in STATEFUL_PATHS.items():
        assert path in mounts[name], f"{name} keeps no data on a volume at {path}"
    assert "--appendonly yes" in compose["services"]["falkordb"]["environment"]["REDIS_ARGS"]
    falkordb_env = compose["services"]["falkordb"]["environment"]
    assert falkordb_env["FALKORDB_DATA_PATH"] == STATEFUL_PATHS["falkordb"]
    home = _project_services(compose)["code"]["environment"][HOME_VAR]
    assert mounts["code"][home] == mounts["dashboard"][home]  # reports reach the dashboard


def test_dependencies_wait_for_healthy_services_and_ports_are_published() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert "healthcheck" in services[dependency]
    published = {
        name: [port.rsplit(":", 1)[1] for port in s.get("ports", [])]
        for name, s in services.items()
    }
    assert published["postgres"] == ["5432"] and published["webserver"] == ["3000"]
    assert published["falkordb"] == ["6379", "3000"] and published["dashboard"] == ["8501"]
    dashboard = services["dashboard"]["command"]
    assert _option(dashboard, "--port") == "8501" and _option(dashboard, "--host") == "0.0.0.0"


def test_the_image_is_built_from_files_a_clean_clone_has() -> None:
    """Every COPY source of the Dockerfile exists and is not excluded by .dockerignore."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    dockerfile = (ROOT / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from=)(.+) \S+$", dockerfile, re.MULTILINE)
    sources = [source for line in copies for source in line.split()]
    assert {"pyproject.toml", "bike_pipeline", "data", "deploy/dagster.yaml"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
        assert source not in ignored, f"{source} is excluded by .dockerignore"
    assert ".env" in ignored  # the real keys never go into the image
    assert "-e" not in re.findall(r"pip install (\S+)", dockerfile)  # the wheel, not the tree
    assert "pip wheel" in dockerfile and "ARG BASE_IMAGE=python:3.11-slim-bookworm" in dockerfile


def test_the_dask_services_run_from_the_project_image_inside_the_network_only() -> None:
    """The Dask scheduler has no password: no published port; workers get no database,
    Redis or key; one thread each; the project's services point at the scheduler."""
    services = _compose()["services"]
    scheduler, *workers = (services[name] for name in DASK_SERVICES)
    for service in (scheduler, *workers):
        assert service["image"] == "bike_pipeline:latest" and "ports" not in service
        assert set(service["environment"]) == {HOME_VAR}
    assert scheduler["command"][:2] == ["dask", "scheduler"] and scheduler["expose"] == ["8786"]
    compile(_healthcheck_argv(scheduler)[2], "dask-scheduler healthcheck", "exec")
    for worker in workers:
        assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
        assert _option(worker["command"], "--nthreads") == "1"
    for name, service in _project_services(_compose()).items():
        address = service["environment"][DASK_SCHEDULER_VAR]
        assert address == "${BIKE_PIPELINE_DASK_SCHEDULER-tcp://dask-scheduler:8786}", name
