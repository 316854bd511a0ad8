"""A home that is not the running user's alone stops every command before it starts a
server or reads a key (the suite runs as root: `nobody` plays the stranger)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.services.passwords import server_password
from bike_pipeline.settings import (
    DATABASE_URL_VAR,
    HOME_VAR,
    PSEUDONYM_KEY_VAR,
    REDIS_URL_VAR,
    Settings,
    UnsafeHome,
    secret_key,
)

NOBODY = 65534
PLANTED = "planted-by-nobody"


def _planted_home(tmp_path: Path, owner: int = NOBODY, mode: int = 0o777) -> Path:
    """What a stranger pre-creates: a home with a password and a pseudonym key of theirs."""
    home = tmp_path / "home"
    keys = home / "keys"
    keys.mkdir(parents=True)
    for name in ("redis.password", "pseudonym_key.key"):
        (keys / name).write_text(PLANTED)
    for path in (home, keys, *keys.iterdir()):
        os.chown(path, owner, owner)
        path.chmod(mode)
    return home


def test_a_home_owned_by_someone_else_is_refused_before_its_keys_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _planted_home(tmp_path)
    monkeypatch.setenv(HOME_VAR, str(home))
    monkeypatch.delenv(PSEUDONYM_KEY_VAR, raising=False)

    with pytest.raises(UnsafeHome, match=rf"^{home} belongs to nobody, not to you \(root\)"):
        server_password(home, "redis")
    with pytest.raises(UnsafeHome, match="chown -R root"):
        secret_key(PSEUDONYM_KEY_VAR, Settings.from_env())
    with pytest.raises(UnsafeHome):
        embedded_redis_server.start(home)
    assert not (home / "redis").exists()  # no server was started


def test_services_up_in_a_foreign_home_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _planted_home(tmp_path)
    monkeypatch.setenv(HOME_VAR, str(home))
    for variable in (DATABASE_URL_VAR, REDIS_URL_VAR):
        monkeypatch.delenv(variable, raising=False)

    result = CliRunner().invoke(main, ["services", "up"])

    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"Error: {home} belongs to nobody")
    assert PLANTED not in result.output
    assert not (home / "redis").exists() and not (home / "postgres").exists()


def test_a_key_file_of_someone_else_in_an_own_home_is_refused(tmp_path: Path) -> None:
    home = _planted_home(tmp_path, owner=os.geteuid(), mode=0o700)
    os.chown(home / "keys" / "pseudonym_key.key", NOBODY, NOBODY)

    with pytest.raises(UnsafeHome, match="pseudonym_key.key belongs to nobody"):
        server_password(home, "redis")


def test_an_own_home_open_to_others_is_refused_naming_the_chmod(tmp_path: Path) -> None:
    home = _planted_home(tmp_path, owner=os.geteuid(), mode=0o700)
    (home / "keys" / "redis.password").chmod(0o644)

    with pytest.raises(
        UnsafeHome, match=r"redis.password is open to others \(mode 644\): run `chmod"
    ):
        server_password(home, "redis")
    (home / "keys" / "redis.password").chmod(0o600)
    assert server_password(home, "redis") == PLANTED
