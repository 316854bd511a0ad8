"""Erasing a home's data: `services purge` (this home, everywhere) and `services prune`
(the folders outside any home whose home is gone).

As root the embedded PostgreSQL keeps its data in `/var/lib/bike_pipeline_postgres/<hash>`
and, root or not, its socket in `/tmp/bike_pipeline-pg-<hash>`: deleting the home leaves
those behind, each with the whole `core.customers` in clear text. Each such folder holds
a marker file naming its home (`embedded_postgres_server.write_home_marker`), so prune
can tell which belong to a deleted home. A folder whose home still exists, or that has no
marker, is never pruned. The embedded Redis of a deleted home may still run, holding the
stream and graph in memory and writing to its deleted files: prune ends it too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bike_pipeline.services import embedded_postgres_server as pg
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.services.data_usage import folder_size
from bike_pipeline.services.urls import services_down
from bike_pipeline.settings import APP_DATABASE, Settings
from bike_pipeline.simulation.store import lock

# What every home used by a server holds (the start lock, or the generated keys).
_HOME_SIGNS = (".services.lock", "keys")


class PurgeRefused(RuntimeError):
    """The home cannot be purged as it is; the message says why."""


def check_purgeable(home: Path) -> None:
    """Refuse homes whose deletion would take more than bike_pipeline's data: the root, the
    user's home, the current folder or one of its parents, or a folder that never was one."""
    home = home.resolve()
    cwd = Path.cwd().resolve()
    if home == Path("/") or home == Path.home().resolve() or home in (cwd, *cwd.parents):
        raise PurgeRefused(
            f"BIKE_PIPELINE_HOME={home} is the root, your home folder, or the current folder "
            "or one of its parents: purge would delete far more than bike_pipeline's data"
        )
    if home.exists() and not any((home / sign).exists() for sign in _HOME_SIGNS):
        raise PurgeRefused(
            f"{home} holds none of {', '.join(_HOME_SIGNS)}: it is not a bike_pipeline state "
            "folder, so purge deletes nothing there"
        )


def _app_database_url(settings: Settings) -> str | None:
    """The application database whose writer lock tells whether a simulation writes; None
    when no server runs (then no simulation can be writing)."""
    if settings.database_url:
        return settings.database_url
    server = pg.status(settings.home).url
    if server is None:
        return None
    engine = sa.create_engine(server, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": APP_DATABASE}
            ).scalar()
    finally:
        engine.dispose()
    if not exists:
        return None
    return sa.make_url(server).set(database=APP_DATABASE).render_as_string(hide_password=False)


@contextlib.contextmanager
def _writer_lock_held(settings: Settings) -> Iterator[None]:
    """Hold the simulation's writer lock while the servers stop, so that no simulation starts
    writing in between; `lock.SimulationBusy` when one is writing now."""
    url = _app_database_url(settings)
    if url is None:
        yield
        return
    engine = sa.create_engine(url, poolclass=NullPool)
    conn = lock.acquire(engine, wait_s=0.0, what="purge refused")
    try:
        yield
    finally:
        # The server may be stopped by now: drop the connection without a rollback.
        conn.invalidate()
        conn.close()
        engine.dispose()


def purge_targets(settings: Settings) -> list[Path]:
    """The folders `purge` deletes (those that exist): outside the home first, then the home."""
    where = pg.layout(settings.home)
    outside = [where.private_parent if where.user is not None else where.data_dir]
    candidates = [*outside, where.socket_dir, settings.home]
    return [path for path in dict.fromkeys(candidates) if path.exists()]


def purge(settings: Settings) -> list[Path]:
    """Stop the home's embedded servers and delete all of its data; return what was deleted.

    Refused (`PurgeRefused`, `lock.SimulationBusy`) while a simulation is writing or when
    the home does not look like a state folder. Servers given by URL variables are
    neither stopped nor emptied (their data lives on their own hosts).
    """
    check_purgeable(settings.home)
    with _writer_lock_held(settings):
        services_down(settings)
    targets = purge_targets(settings)
    pg.delete_data(settings.home)
    if settings.home.exists():
        shutil.rmtree(settings.home)
    left = [path for path in targets if path.exists()]
    if left:
        raise PurgeRefused(f"could not delete {', '.join(map(str, left))}")
    return targets


@dataclass(frozen=True)
class OrphanFolder:
    path: Path
    size: int | None
    home: Path | None  # None: no marker, home unknown (never pruned)


def _gone(path: Path) -> bool:
    """True only when `path` certainly does not exist (an unreadable parent is not "gone")."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _outside_folders(root: Path, socket_base: Path) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    sockets = sorted(socket_base.glob(f"{pg.SOCKET_PREFIX}*")) if socket_base.is_dir() else []
    return [p for p in (*folders, *sockets) if p.is_dir() and not p.is_symlink()]


def find_orphans(
    root: Path = pg.ROOT_DATA_BASE,
    socket_base: Path = pg.SOCKET_BASE,
    homes_under: Path = Path("/"),
) -> tuple[list[OrphanFolder], list[OrphanFolder]]:
    """(folders whose home is gone, folders without a marker) among the data folders under
    `root` and the socket folders under `socket_base`; only homes under `homes_under`."""
    orphans, unknown = [], []
    homes_by_hash: dict[str, Path] = {}
    for folder in _outside_folders(root, socket_base):
        digest = folder.name.removeprefix(pg.SOCKET_PREFIX)
        # A socket folder made before markers existed belongs to the data folder of its hash.
        home = pg.marked_home(folder) or homes_by_hash.get(digest)
        if home is None:
            unknown.append(OrphanFolder(folder, folder_size(folder), None))
            continue
        homes_by_hash[digest] = home
        if home.is_relative_to(homes_under) and _gone(home):
            orphans.append(OrphanFolder(folder, folder_size(folder), home))
    return orphans, unknown


def prune(orphans: list[OrphanFolder]) -> list[Path]:
    """Delete the given orphaned folders (stopping a server still running on one); their
    homes are checked again just before, so a home made meanwhile keeps its data."""
    deleted = []
    for orphan in orphans:
        if orphan.home is None or not _gone(orphan.home):
            continue
        pg.stop_data_dir(orphan.path / "postgres")
        shutil.rmtree(orphan.path)
        deleted.append(orphan.path)
    return deleted


@dataclass(frozen=True)
class OrphanServer:
    pid: int
    folder: Path  # its data folder, deleted


_DELETED = " (deleted)"  # how Linux shows a removed working folder (psutil strips it)
_REDIS_FOLDER = embedded_redis_server.data_dir(Path()).name
_STOP_WAIT_S = 5.0


def find_orphan_redis(scope: Path = Path("/")) -> list[OrphanServer]:
    """Embedded Redis servers (`redis-server` working in a home's `redis` folder, under
    `scope`) whose folder was deleted: their home is gone."""
    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "redis-server":
            continue
        try:
            cwd = process.cwd()
        except psutil.Error:
            continue
        folder = Path(cwd.removesuffix(_DELETED))
        if folder.name == _REDIS_FOLDER and folder.is_relative_to(scope) and _gone(folder):
            found.append(OrphanServer(process.pid, folder))
    return found


def stop_orphan_redis(servers: list[OrphanServer]) -> list[int]:
    """End the given servers (their data is gone: nothing to save); the pids ended."""
    ended = []
    for server in servers:
        try:
            process = psutil.Process(server.pid)
            if Path(process.cwd().removesuffix(_DELETED)) != server.folder:
                continue  # the pid was reused
            process.terminate()
            try:
                process.wait(_STOP_WAIT_S)
            except psutil.TimeoutExpired:  # it refuses to exit when it cannot save
                process.kill()
                process.wait(_STOP_WAIT_S)
        except psutil.NoSuchProcess:
            pass
        ended.append(server.pid)
    return ended
