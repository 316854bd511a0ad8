"""`services purge` and `services prune`: every copy of a home's data goes, nothing else.

Each test uses its own temporary home (and, for prune, its own root and socket folders),
never the session's servers nor any other home on the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline import services
from bike_pipeline.cli.services import services as services_cli
from bike_pipeline.services import embedded_postgres_server as pg
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.services.erase import (
    PurgeRefused,
    check_purgeable,
    find_orphan_redis,
    find_orphans,
    prune,
    stop_orphan_redis,
)
from bike_pipeline.settings import (
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    REDIS_URL_VAR,
    Settings,
)
from bike_pipeline.simulation.store import lock

REPO = Path(__file__).resolve().parents[2]


def _folder_of(root: Path, name: str, home: Path | None) -> Path:
    folder = root / name
    (folder / "postgres").mkdir(parents=True)
    (folder / "postgres" / "PG_VERSION").write_text("16\n")
    if home is not None:
        pg.write_home_marker(folder, home)
    return folder


def test_prune_deletes_only_the_folders_of_deleted_homes(tmp_path: Path) -> None:
    root, sockets = tmp_path / "root", tmp_path / "sockets"
    live_home = tmp_path / "live_home"
    live_home.mkdir()
    gone_home = tmp_path / "gone_home"
    gone = _folder_of(root, "aaaa", gone_home)
    live = _folder_of(root, "bbbb", live_home)
    unmarked = _folder_of(root, "cccc", None)
    # an old socket folder without marker goes with the data folder of its hash
    old_socket = sockets / f"{pg.SOCKET_PREFIX}aaaa"
    old_socket.mkdir(parents=True)
    live_socket = sockets / f"{pg.SOCKET_PREFIX}bbbb"
    live_socket.mkdir()
    pg.write_home_marker(live_socket, live_home)
    gone_socket = sockets / f"{pg.SOCKET_PREFIX}dddd"
    gone_socket.mkdir()
    pg.write_home_marker(gone_socket, tmp_path / "another_gone_home")
    other = sockets / "not_ours"
    other.mkdir()

    orphans, unknown = find_orphans(root, sockets)
    assert [o.path for o in orphans] == [gone, old_socket, gone_socket]
    assert orphans[0].home == gone_home.resolve() and orphans[0].size
    assert [u.path for u in unknown] == [unmarked]

    runner = CliRunner()
    args = ["prune", "--root", str(root), "--socket-base", str(sockets)]
    args += ["--homes-under", str(tmp_path)]
    listed = runner.invoke(services_cli, args)
    assert listed.exit_code == 0, listed.output
    assert str(gone) in listed.output and str(gone_home.resolve()) in listed.output
    assert str(live) not in listed.output and "--yes" in listed.output
    assert gone.exists()

    deleted = runner.invoke(services_cli, [*args, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert "deleted 3 folder(s), ended 0 server(s)" in deleted.output
    assert not gone.exists() and not old_socket.exists() and not gone_socket.exists()
    assert live.exists() and live_socket.exists() and unmarked.exists() and other.exists()


def test_prune_keeps_a_home_made_again_after_listing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = _folder_of(tmp_path / "root", "aaaa", home)
    orphans, _ = find_orphans(tmp_path / "root", tmp_path / "sockets")
    home.mkdir()
    assert prune(orphans) == []
    assert folder.exists()


@pytest.fixture
def own_outside_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A data root and socket base of this test only (reachable by the server's user)."""
    base = Path(tempfile.mkdtemp(prefix="bp-erase-", dir="/tmp"))
    base.chmod(0o755)
    root, sockets = base / "data", base / "s"
    sockets.mkdir(mode=0o755)
    sockets.chmod(0o1777)
    monkeypatch.setattr(pg, "ROOT_DATA_BASE", root)
    monkeypatch.setattr(pg, "SOCKET_BASE", sockets)
    try:
        yield root, sockets
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (DATABASE_URL_VAR, REDIS_URL_VAR, GRAPH_URL_VAR):
        monkeypatch.delenv(variable, raising=False)


def test_prune_stops_and_deletes_the_server_of_a_home_deleted_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_outside_folders: tuple[Path, Path]
) -> None:
    root, sockets = own_outside_folders
    _embedded_only(monkeypatch)
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=None, redis_url=None, graph_url=None)
    where = pg.layout(home)
    try:
        services.services_up(settings)
        (redis_pid,) = [s.pid for s in services.services_status(settings) if "redis" in s.name]
        shutil.rmtree(home)  # deleted by hand, both servers still running
        assert pg._postmaster(where.data_dir) is not None  # status() would remake the home
        assert find_orphans(root, sockets, homes_under=tmp_path / "elsewhere") == ([], [])
        orphans, _ = find_orphans(root, sockets, homes_under=tmp_path)
        outside = {where.socket_dir} | ({where.private_parent} if where.user else set())
        assert {o.path for o in orphans} == outside
        servers = find_orphan_redis(tmp_path)
        assert [(s.pid, s.folder) for s in servers] == [(redis_pid, home / "redis")]

        assert set(prune(orphans)) == outside
        assert stop_orphan_redis(servers) == [redis_pid]
        assert not any(path.exists() for path in outside)
        assert pg._postmaster(where.data_dir) is None and not home.exists()
        assert not psutil.pid_exists(redis_pid) or psutil.Process(redis_pid).status() == "zombie"
    finally:
        pg.stop(home)
        pg.delete_data(home)
        if home.exists():
            embedded_redis_server.stop(home)
        stop_orphan_redis(find_orphan_redis(tmp_path))  # only this test's own server


def _cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (DATABASE_URL_VAR, REDIS_URL_VAR)}
    env.pop(GRAPH_URL_VAR, None)
    env[HOME_VAR] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "bike_pipeline.cli", *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
    )


def test_purge_after_ingest_and_simulate_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _embedded_only(monkeypatch)
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=None, redis_url=None, graph_url=None)
    where = pg.layout(home)
    try:
        ingest = _cli(
            home, "ingest", "--customers", "data/customers.csv", "--bikes", "data/bikes.csv"
        )
        assert ingest.returncode == 0, ingest.stderr
        simulate = _cli(home, "simulate", "--days", "1", "--pace", "0", "--seed", "3")
        assert simulate.returncode == 0, simulate.stderr
        status = _cli(home, "services", "status")
        assert f"{where.data_dir}" in status.stdout and "MB" in status.stdout

        asked = _cli(home, "services", "purge", stdin="n\n")
        assert asked.returncode == 1 and "Aborted" in asked.stderr
        assert home.exists() and where.data_dir.exists()

        engine = sa.create_engine(services.database_url(settings))
        writer = lock.acquire(engine)
        try:
            busy = _cli(home, "services", "purge", "--yes")
        finally:
            lock.release(writer)
            engine.dispose()
        assert busy.returncode == 1 and "a simulation is writing" in busy.stderr
        assert pg.status(home).running and where.data_dir.exists()

        purged = _cli(home, "services", "purge", "--yes")
        assert purged.returncode == 0, purged.stderr
        for folder in (home, where.private_parent, where.data_dir, where.socket_dir):
            assert not folder.exists(), folder
    finally:
        if home.exists():
            services.services_down(settings)
        pg.delete_data(home)
        shutil.rmtree(home, ignore_errors=True)


def test_purge_refuses_folders_that_are_not_a_state_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PurgeRefused, match="not a bike_pipeline state folder"):
        check_purgeable(tmp_path)
    with pytest.raises(PurgeRefused, match="root, your home folder"):
        check_purgeable(Path.cwd())
    assert (tmp_path / "notes.txt").exists()


def test_purge_of_a_home_that_never_was_deletes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _embedded_only(monkeypatch)
    home = tmp_path / "never"
    result = CliRunner().invoke(services_cli, ["purge", "--yes"], env={HOME_VAR: str(home)})
    assert result.exit_code == 0, result.output
    assert "nothing of" in result.output and not home.exists()
