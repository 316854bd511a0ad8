"""`defects.json`: the sidecar listing, per file, every bad row's line and kind.

Ingestion tests compare their rejects with it: each entry is a data row the loader must
reject (1-based physical line, the header being line 1), every other row must load.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bike_pipeline.generate.defects import Defect
from bike_pipeline.generate.table_writer import GeneratedFile

DEFECTS_FILE_NAME = "defects.json"


def write_defects_file(
    path: Path, files: Mapping[str, GeneratedFile], settings: Mapping[str, Any]
) -> None:
    document = {
        "generator": dict(settings),
        "files": {
            name: {
                "rows": generated.rows,
                "defect_counts": generated.defect_counts,
                "defects": [
                    {"line": d.line, "kind": d.kind, "column": d.column} for d in generated.defects
                ],
            }
            for name, generated in files.items()
        },
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_defects_file(path: Path) -> dict[str, tuple[Defect, ...]]:
    """File name (`customers.csv`) -> its defects, in line order."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: tuple(Defect(d["line"], d["kind"], d["column"]) for d in entry["defects"])
        for name, entry in document["files"].items()
    }
