"""Where one home's data lives, and how much of it there is (`bike-pipeline services status`).

As root the embedded PostgreSQL keeps its data outside the home (see
`embedded_postgres_server`), so the home's size alone does not say how much is stored:
each place is listed with its own size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bike_pipeline.services import embedded_postgres_server, embedded_redis_server


@dataclass(frozen=True)
class DataLocation:
    what: str
    path: Path
    size: int | None  # bytes on disk; None when the folder does not exist

    def describe(self) -> str:
        size = "absent" if self.size is None else human_size(self.size)
        return f"{self.what:<20} {size:>9}  {self.path}"


def folder_size(path: Path) -> int | None:
    """Bytes allocated under `path` (not following links); None when it does not exist."""
    try:
        total = path.lstat().st_blocks * 512
    except FileNotFoundError:
        return None
    for root, folders, files in os.walk(path):
        for name in (*folders, *files):
            try:
                total += Path(root, name).lstat().st_blocks * 512
            except OSError:
                continue  # removed while walking
    return total


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def data_locations(home: Path) -> list[DataLocation]:
    """Every place where the home's embedded servers and keys keep data."""
    where = embedded_postgres_server.layout(home)
    places = [
        ("postgresql data", where.data_dir),
        ("postgresql socket", where.socket_dir),
        ("redis+falkordb data", embedded_redis_server.data_dir(home)),
        ("state folder (all)", home),
    ]
    return [DataLocation(what, path, folder_size(path)) for what, path in places]
