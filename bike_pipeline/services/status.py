"""What `bike-pipeline services status` shows for one server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerStatus:
    name: str
    running: bool
    pid: int | None
    url: str | None
    data_dir: Path
