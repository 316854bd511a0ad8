"""The environment of shared/CONTRACT.md section 3, read in one place.

Every component asks this module where the state folder is, which servers to talk to,
and which keys to use. When a key variable is unset a development key is generated once
in the state folder (mode 0600) and a warning says so: keys never live in the repository.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import pwd
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HOME_VAR = "BIKE_PIPELINE_HOME"
DATABASE_URL_VAR = "BIKE_PIPELINE_DATABASE_URL"
REDIS_URL_VAR = "BIKE_PIPELINE_REDIS_URL"
GRAPH_URL_VAR = "BIKE_PIPELINE_GRAPH_URL"
PII_KEY_VAR = "BIKE_PIPELINE_PII_KEY"
PSEUDONYM_KEY_VAR = "BIKE_PIPELINE_PSEUDONYM_KEY"
DASK_SCHEDULER_VAR = "BIKE_PIPELINE_DASK_SCHEDULER"
DAGSTER_HOME_VAR = "BIKE_PIPELINE_DAGSTER_HOME"

DEFAULT_HOME = Path(".bike_pipeline")
APP_DATABASE = "bike_pipeline"
DAGSTER_DATABASE = "dagster"


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; URLs are None when the embedded server is meant."""

    home: Path
    database_url: str | None
    redis_url: str | None
    graph_url: str | None
    dask_scheduler: str | None = None  # a Dask scheduler's address: replications run there
    # A deployment's own Dagster home (its dagster.yaml, e.g. /opt/dagster/home in the
    # image): the instance the project's sensors act on instead of `home/dagster`.
    declared_dagster_home: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get(HOME_VAR) or DEFAULT_HOME).expanduser().resolve()
        redis_url = os.environ.get(REDIS_URL_VAR) or None
        return cls(
            home=home,
            database_url=os.environ.get(DATABASE_URL_VAR) or None,
            redis_url=redis_url,
            graph_url=os.environ.get(GRAPH_URL_VAR) or redis_url,
            dask_scheduler=os.environ.get(DASK_SCHEDULER_VAR) or None,
            declared_dagster_home=_declared_dagster_home(),
        )

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def inbox_dir(self) -> Path:
        return self.home / "inbox"

    @property
    def dagster_home(self) -> Path:
        """The project's Dagster instance: `BIKE_PIPELINE_DAGSTER_HOME`, else `home/dagster`."""
        return self.declared_dagster_home or self.home / "dagster"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def _declared_dagster_home() -> Path | None:
    declared = os.environ.get(DAGSTER_HOME_VAR)
    return Path(declared).expanduser().resolve() if declared else None


class UnsafeHome(RuntimeError):
    """The state folder, its `keys/` or a key file belongs to someone else or is open to
    others: its passwords and keys cannot be trusted (someone may have planted them) or
    kept secret. The message is one line saying whose they are and what to run."""


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def check_private_home(home: Path) -> None:
    """Refuse a home, `keys/` or key file that is not the running user's alone.

    Called before any server starts or any key or password is read; a missing home is
    fine (it is created with mode 0700).
    """
    keys = home / "keys"
    paths = [home, keys]
    if keys.is_dir():
        paths += sorted(path for path in keys.iterdir())
    me = os.geteuid()
    for path in paths:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if info.st_uid != me:
            raise UnsafeHome(
                f"{path} belongs to {_user_name(info.st_uid)}, not to you "
                f"({_user_name(me)}): its keys cannot be trusted. If it is yours, run "
                f"`chown -R {_user_name(me)} {home} && chmod -R go-rwx {home}`; "
                f"else set {HOME_VAR} to a folder of your own"
            )
        if stat.S_ISLNK(info.st_mode):
            raise UnsafeHome(f"{path} is a symbolic link: replace it with the file itself")
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise UnsafeHome(
                f"{path} is open to others (mode {stat.S_IMODE(info.st_mode):o}): "
                f"run `chmod -R go-rwx {home}`"
            )


def ensure_private_folder(folder: Path) -> Path:
    """Create `folder` and its missing parents with mode 0700 (the state folder and what it
    holds are its owner's only); an existing folder keeps its mode."""
    for missing in reversed([folder, *folder.parents]):
        if not missing.exists():
            with contextlib.suppress(FileExistsError):
                missing.mkdir(mode=0o700)
    return folder


def _development_key(settings: Settings, name: str) -> str:
    """Read, or create once with mode 0600, a development key in the state folder."""
    check_private_home(settings.home)
    path = settings.keys_dir / f"{name}.key"
    if not path.exists():
        ensure_private_folder(settings.keys_dir)
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    return path.read_text().strip()


def secret_key(variable: str, settings: Settings | None = None) -> str:
    """The key in `variable`, or a development key kept in the state folder (with a warning)."""
    value = os.environ.get(variable)
    if value:
        return value
    settings = settings or Settings.from_env()
    name = variable.removeprefix("BIKE_PIPELINE_").lower()
    log.warning(
        "%s is unset: using the development key in %s (never use it for real data)",
        variable,
        settings.keys_dir,
    )
    return _development_key(settings, name)


def ensure_key_environment(settings: Settings | None = None) -> None:
    """Put both keys in the environment, so `dg.EnvVar` finds them in every process."""
    for variable in (PII_KEY_VAR, PSEUDONYM_KEY_VAR):
        if not os.environ.get(variable):
            os.environ[variable] = secret_key(variable, settings)
