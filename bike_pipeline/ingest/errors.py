"""The one error of the ingestion: a file that cannot be ingested at all."""

from __future__ import annotations

from pathlib import Path


class UnusableInputFile(ValueError):
    """The whole file is unusable (missing, not CSV, a required column absent).

    Raised before anything is written, so the database stays as it was. The message names
    the file and the problem, never a value from the file.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
