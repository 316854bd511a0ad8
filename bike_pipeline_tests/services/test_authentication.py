"""Who can connect to the embedded servers: the state folder's owner (and root), nobody else.

Real servers throughout. The intruder tests create an unprivileged local user and probe
the servers as that user (the suite runs as root in CI); run as another user, they check
what that user could reach instead: the same folders and files, by mode and owner.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.services import embedded_postgres_server as pg_server
from bike_pipeline.services import embedded_redis_server as redis_server
from bike_pipeline.services.passwords import password_file
from bike_pipeline.settings import Settings, UnsafeHome

INTRUDER = "bp_intruder"

# Run by the intruder with the system Python and no site-packages: only the standard library.
PROBE = r"""
import json, socket, sys
socket_path, redis_port, *paths = sys.argv[1:]
found = {}
for path in paths:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        found[path] = "read"
    except IsADirectoryError:
        import os
        try:
            os.listdir(path)
            found[path] = "listed"
        except OSError as error:
            found[path] = type(error).__name__
    except OSError as error:
        found[path] = type(error).__name__
unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    unix.connect(socket_path)
    found["postgres_socket"] = "connected"
except OSError as error:
    found["postgres_socket"] = type(error).__name__
tcp = socket.create_connection(("127.0.0.1", int(redis_port)), timeout=5)
tcp.sendall(b"PING\r\nKEYS *\r\n")
found["redis_reply"] = tcp.recv(200).decode().split("\r\n")[0]
with open("/proc/self/status") as status:
    found["uid_and_capabilities"] = [
        line.split()[1] for line in status if line.startswith(("Uid:", "CapEff:"))
    ]
print(json.dumps(found))
"""


def _settings() -> Settings:
    return Settings.from_env()


def _socket_path(urls: services.ServiceUrls) -> str:
    host = sa.make_url(urls.database_url).query["host"]
    return f"{host}/.s.PGSQL.5432"


def _redis_port(urls: services.ServiceUrls) -> int:
    return int(redis.Redis.from_url(urls.redis_url).connection_pool.connection_kwargs["port"])


def test_redis_refuses_a_client_without_the_password(servers: services.ServiceUrls) -> None:
    port = _redis_port(servers)
    for password in (None, "wrong"):
        client = redis.Redis(host="127.0.0.1", port=port, password=password)
        with pytest.raises(redis.AuthenticationError):
            client.ping()
        client.close()
    assert redis.Redis.from_url(servers.redis_url).ping()


def test_postgres_refuses_a_client_without_the_password(servers: services.ServiceUrls) -> None:
    url = sa.make_url(servers.database_url)
    for password in ("", "wrong"):  # URL.set(password=None) would keep the password
        engine = sa.create_engine(url.set(password=password))
        with pytest.raises(sa.exc.OperationalError, match="password"):
            engine.connect()
        engine.dispose()
    with sa.create_engine(url).connect() as conn:
        methods = conn.execute(sa.text("SELECT DISTINCT auth_method FROM pg_hba_file_rules"))
        assert [m for (m,) in methods] == ["scram-sha-256"]
        assert conn.execute(sa.text("SHOW listen_addresses")).scalar_one() == ""


def test_no_password_is_on_a_command_line(servers: services.ServiceUrls) -> None:
    """Every local user can read every process's command line."""
    secrets = {
        sa.make_url(servers.database_url).password,
        redis.Redis.from_url(servers.redis_url).connection_pool.connection_kwargs["password"],
    }
    assert all(secrets)
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        assert not any(secret in command for secret in secrets), process.pid


def test_state_socket_and_data_folders_are_private(servers: services.ServiceUrls) -> None:
    home = _settings().home
    where = pg_server.layout(home)
    server_uid = pwd.getpwnam(where.user).pw_uid if where.user else os.getuid()
    expected = {
        home: (0o700, os.getuid()),
        home / "keys": (0o700, os.getuid()),
        password_file(home, "postgres"): (0o600, os.getuid()),
        password_file(home, "redis"): (0o600, os.getuid()),
        redis_server.data_dir(home): (0o700, os.getuid()),
        home / "redis" / "redis.conf": (0o600, os.getuid()),
        where.socket_dir: (0o700, server_uid),
        where.data_dir: (0o700, server_uid),
        where.private_parent: (0o700, server_uid) if where.user else (0o700, os.getuid()),
    }
    found = {path: (stat.S_IMODE(path.lstat().st_mode), path.lstat().st_uid) for path in expected}
    assert found == expected
    assert Path(_socket_path(servers)).parent == where.socket_dir


def _intruder() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(INTRUDER)
    except KeyError:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", INTRUDER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(INTRUDER)


def test_an_unprivileged_local_user_reaches_neither_server(
    servers: services.ServiceUrls,
) -> None:
    home = _settings().home
    where = pg_server.layout(home)
    targets = [
        password_file(home, "postgres"),
        password_file(home, "redis"),
        home / "redis" / "redis.conf",
        redis_server.data_dir(home),
        where.data_dir,
        where.socket_dir,
    ]
    if os.geteuid() != 0:
        # Not root: no other user to become. What they could reach is decided by these modes.
        for path in (home, where.socket_dir, where.data_dir):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
        return
    intruder = _intruder()
    result = subprocess.run(
        [
            "setpriv", f"--reuid={intruder.pw_uid}", f"--regid={intruder.pw_gid}",
            "--clear-groups", "--", sys.executable, "-I", "-S", "-c", PROBE,
            _socket_path(servers), str(_redis_port(servers)), *map(str, targets),
        ],
        capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    found = json.loads(result.stdout)
    assert found == {
        **{str(path): "PermissionError" for path in targets},
        "postgres_socket": "PermissionError",
        "redis_reply": "-NOAUTH Authentication required.",
        # A plain user: its uid, and no capability (root's would override every mode).
        "uid_and_capabilities": [str(intruder.pw_uid), "0000000000000000"],
    }


def test_a_long_home_still_gets_a_private_socket_and_stays_0700(tmp_path: Path) -> None:
    """A socket path over ~107 bytes cannot exist; the socket folder does not follow the home."""
    home = tmp_path / ("h" * (130 - len(str(tmp_path))))
    settings = Settings(home=home, database_url=None, redis_url=None, graph_url=None)
    assert len(str(home)) >= 120
    try:
        urls = services.services_up(settings)
        socket_dir = Path(sa.make_url(urls.database_url).query["host"])
        assert socket_dir == pg_server.layout(home).socket_dir
        assert len(str(socket_dir / ".s.PGSQL.5432")) < 100
        assert stat.S_IMODE(socket_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        with sa.create_engine(urls.database_url).connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        services.services_down(settings)
        pg_server.delete_data(home)


def _as_server_user(where: pg_server.Layout, args: list[str], stdin: str = "") -> None:
    result = pg_server._run(where, args, input=stdin)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def open_parent() -> Iterator[Path]:
    """A folder every user may traverse (as root, earlier versions widened a home's parents
    to 0755 so that their data folder in the home could be reached)."""
    folder = Path(tempfile.mkdtemp(prefix="bp_legacy_", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_trust_data_folder_of_an_earlier_version_is_migrated(open_parent: Path) -> None:
    """Earlier versions: `initdb --auth=trust` in HOME/postgres, HOME widened to 0755 as root."""
    home = open_parent / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    where = pg_server.layout(home)
    legacy = pg_server.Layout(home, home / "postgres", where.socket_dir, where.user)
    pg_server._ensure_system_user(where)
    legacy.data_dir.mkdir(mode=0o700)
    if where.user:
        os.chown(legacy.data_dir, *pg_server._user_ids(where))
    _as_server_user(
        legacy, [pg_server._bin("initdb"), "-D", str(legacy.data_dir), "-U", "postgres",
                 "--auth=trust"],
    )  # fmt: skip
    _as_server_user(
        legacy,
        [pg_server._bin("postgres"), "--single", "-D", str(legacy.data_dir), "postgres"],
        "CREATE TABLE kept AS SELECT 7 AS x;\n",
    )
    settings = Settings(home=home, database_url=None, redis_url=None, graph_url=None)
    with pytest.raises(UnsafeHome, match=r"open to others \(mode 755\): run `chmod -R go-rwx"):
        pg_server.start(home)
    home.chmod(0o700)  # what the message says to run
    try:
        server_url = pg_server.start(home)
        with sa.create_engine(server_url).connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM kept")).scalar_one() == 7
            methods = conn.execute(sa.text("SELECT DISTINCT auth_method FROM pg_hba_file_rules"))
            assert [m for (m,) in methods] == ["scram-sha-256"]
        with pytest.raises(sa.exc.OperationalError, match="password"):
            sa.create_engine(sa.make_url(server_url).set(password="")).connect()
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert (where.data_dir / "PG_VERSION").exists()
        assert (legacy.data_dir / "PG_VERSION").exists() == (where.data_dir == legacy.data_dir)
    finally:
        services.services_down(settings)
        pg_server.delete_data(home)
