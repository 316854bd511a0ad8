"""The inbox folder: dumps dropped in `BIKE_PIPELINE_HOME/inbox/`, moved away once ingested.

A file is never deleted: it goes to `inbox/processed/` or `inbox/failed/`, renamed with
a piece of its hash if a file of that name is already there.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

PROCESSED = "processed"
FAILED = "failed"
SETTLE_SECONDS = 5.0  # a file changed more recently may still be being copied in


def waiting_files(inbox: Path, settle_seconds: float = SETTLE_SECONDS) -> list[Path]:
    """The CSV files directly in the inbox, unchanged for `settle_seconds`, oldest first."""
    if not inbox.is_dir():
        return []
    settled_before = time.time() - settle_seconds
    files = [
        path
        for path in inbox.iterdir()
        if path.is_file()
        and path.suffix.lower() == ".csv"
        and path.stat().st_mtime <= settled_before
    ]
    return sorted(files, key=lambda path: (path.stat().st_mtime, path.name))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def move_done(path: Path, succeeded: bool, sha256: str) -> Path:
    """Move an ingested (or failed) file out of the inbox; return where it went."""
    folder = path.parent / (PROCESSED if succeeded else FAILED)
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{sha256[:12]}{path.suffix}"
    if target.exists():
        target = folder / f"{path.stem}-{sha256}{path.suffix}"
    path.rename(target)
    return target
