"""The errors of the ingestion: an unusable file, and a load the database refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class UnusableInputFile(ValueError):
    """The whole file is unusable (missing, not CSV, a required column absent).

    Raised before anything is written, so the database stays as it was. The message names
    the file and the problem, never a value from the file.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DatabaseRefusedLoad(RuntimeError):
    """PostgreSQL refused the load (a rule the validator missed, a server problem).

    The transaction was rolled back, so nothing of the file was written. PostgreSQL's own
    message quotes the offending row, so only its error code and constraint are kept.
    """

    def __init__(self, path: str | Path, error: Any) -> None:
        diag = getattr(error, "diag", None)
        constraint = getattr(diag, "constraint_name", None)
        detail = f"error {getattr(error, 'pgcode', None) or 'unknown'}"
        if constraint:
            detail += f" on constraint {constraint}"
        super().__init__(f"{path}: the database refused the load ({detail}); nothing was written")
