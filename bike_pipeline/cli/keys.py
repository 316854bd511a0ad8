"""`bike-pipeline keys rotate`: re-encrypt the analytics tables under a new PII key.

Keys come from the environment (or a hidden prompt), never from the command's output:
nothing here prints a key. Options exist for scripting, but a key typed on a command
line lands in the shell history and the process list; prefer the variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.privacy.cipher import PiiCipher, WrongPiiKeyError
from bike_pipeline.privacy.rotation import rotate_pii_key
from bike_pipeline.settings import PII_KEY_VAR, Settings, secret_key

NEW_PII_KEY_VAR = "BIKE_PIPELINE_NEW_PII_KEY"


@click.group()
def keys() -> None:
    """Manage the keys of the encrypted analytics tables."""


def _development_key_path(settings: Settings) -> Path:
    """Where `settings.secret_key` keeps the development PII key."""
    return settings.keys_dir / f"{PII_KEY_VAR.removeprefix('BIKE_PIPELINE_').lower()}.key"


def _stage_key_file(path: Path, key: str) -> Path:
    staged = path.with_suffix(".key.new")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return staged


@keys.command()
@click.option(
    "--old-key",
    envvar=PII_KEY_VAR,
    show_envvar=True,
    default=None,
    help="The current PII key (default: the development key when the variable is unset).",
)
@click.option(
    "--new-key",
    envvar=NEW_PII_KEY_VAR,
    show_envvar=True,
    prompt="New PII key",
    hide_input=True,
    confirmation_prompt=True,
    help="The new PII key (asked for, hidden, when the variable is unset).",
)
def rotate(old_key: str | None, new_key: str) -> None:
    """Re-encrypt every encrypted analytics column under a new key, in one transaction."""
    settings = Settings.from_env()
    development = old_key is None
    old_key = old_key or secret_key(PII_KEY_VAR, settings)
    if not new_key.strip():
        raise click.BadParameter("the new key is empty", param_hint="--new-key")
    if new_key == old_key:
        raise click.BadParameter("the new key equals the old key", param_hint="--new-key")
    engine = app_engine(settings)
    dev_path = _development_key_path(settings)
    staged = _stage_key_file(dev_path, new_key) if development else None
    rotated = False
    try:
        rows = rotate_pii_key(engine, PiiCipher(old_key), PiiCipher(new_key))
        rotated = True
    except WrongPiiKeyError as error:
        raise click.ClickException(f"{error}; nothing was changed") from None
    finally:
        if staged and not rotated:
            staged.unlink(missing_ok=True)
    click.echo(f"analytics.customers: {rows} rows re-encrypted under the new key.")
    if staged:
        os.replace(staged, dev_path)
        click.echo(f"The development key in {settings.keys_dir} now holds the new key.")
    else:
        click.echo(f"Now give {PII_KEY_VAR} the new key wherever the pipeline runs.")
