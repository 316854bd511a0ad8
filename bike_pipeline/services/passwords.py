"""The embedded servers' passwords: generated once into `BIKE_PIPELINE_HOME/keys/` (mode 0600).

Whoever can read the state folder (its owner, and root) can connect; nobody else can. The
file is written under a temporary name and linked into place, so two processes starting
the servers at once agree on one password.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from bike_pipeline.settings import check_private_home, ensure_private_folder

KEYS_FOLDER = "keys"


def password_file(home: Path, server: str) -> Path:
    return home / KEYS_FOLDER / f"{server}.password"


def server_password(home: Path, server: str) -> str:
    """The password of `server` ("postgres", "redis"), created on first use; refused
    (`UnsafeHome`) from a home that is not the running user's alone."""
    check_private_home(home)
    path = password_file(home, server)
    if not path.exists():
        folder = ensure_private_folder(path.parent)
        folder.chmod(0o700)
        temporary = folder / f".{server}.password.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            # Hex: safe in URLs, config files and SQL literals without quoting.
            handle.write(secrets.token_hex(24))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
        temporary.unlink()
    password = path.read_text().strip()
    if not password:
        raise RuntimeError(f"the password file {path} is empty: delete it to generate a new one")
    return password
