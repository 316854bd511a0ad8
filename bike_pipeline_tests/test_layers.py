"""The package's layering and its constants, read from the source (no imports executed).

- `db/` is the bottom layer of the application's data: it may import the standard library,
  third-party packages and, of this project, only `db` itself and the leaves below it
  (`constants`, `settings`, `services`); never a domain package above it.
- Fixed values have one owner, `bike_pipeline/constants.py`: the time zone's name appears
  in no other string literal, and the constants are assigned a literal nowhere else (in the
  package and in `benchmarks/`).
- The simulation store owns the SQL on the simulation's tables (state, baseline, outbox): no
  other module of the package has a string with SQL naming them (their names, or the store's
  constants for them in an f-string); the store, the models and the migrations may.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bike_pipeline"
BENCHMARKS = ROOT / "benchmarks"
BELOW_DB = {"db", "constants", "settings", "services"}
CONSTANTS = {
    "MINIMUM_AGE",
    "BIKE_STATUSES",
    "DUMP_BIKE_STATUSES",
    "EVENT_TYPES",
    "DEFAULT_DAYS",
    "DEFAULT_SEED",
}


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _project_imports(path: Path) -> set[str]:
    """The top-level `bike_pipeline.<name>` of every import in `path`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module + "." + alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "bike_pipeline" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_db_imports_nothing_above_it() -> None:
    above = {
        str(path.relative_to(PACKAGE)): sorted(_project_imports(path) - BELOW_DB)
        for path in _modules(PACKAGE / "db")
    }
    assert {path: names for path, names in above.items() if names} == {}
    assert len(above) > 10  # the check saw db/ and its migrations


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "Europe/Amsterdam" in node.value
            and id(node) not in docstrings
        ):
            found.append(f"line {node.lineno}: the time zone's name")
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in CONSTANTS:
                    found.append(f"line {node.lineno}: {target.id} assigned")
    return found


def test_constants_have_one_owner() -> None:
    checked = [
        path
        for path in _modules(PACKAGE) + _modules(BENCHMARKS)
        if path != PACKAGE / "constants.py"
    ]
    found = {str(p.relative_to(ROOT)): v for p in checked if (v := _violations(p))}
    assert found == {}
    assert _violations(PACKAGE / "constants.py")  # the owner itself is seen by the check


SIMULATION_TABLES = (
    "event_outbox",
    "simulation_state",
    "simulation_baseline_customers",
    "simulation_baseline_bikes",
)
SQL_KEYWORD = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|JOIN|INTO|TRUNCATE)\b")
TABLE_NAME = re.compile(rf"\b({'|'.join(SIMULATION_TABLES)})\b")
# the store's names for those tables, inside an f-string's `{}`
TABLE_CONSTANT = re.compile(r"\b(SIMULATION_STATE_TABLE|OUTBOX_TABLE|BASELINES|baseline\.table)\b")
SIMULATION_TABLE_OWNERS = ("simulation/store/", "db/models.py", "db/migrations/")


def _fstring_part(part: ast.expr) -> str:
    if isinstance(part, ast.Constant):
        return str(part.value)
    assert isinstance(part, ast.FormattedValue)
    return "{" + ast.unparse(part.value) + "}"


def _sql_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal but docstrings, an f-string with each value as `{its source}`."""
    docstrings = _docstrings(tree)
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [_fstring_part(p) for p in node.values]
            texts.append((node.lineno, "".join(parts)))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings | inside_fstrings
        ):
            texts.append((node.lineno, node.value))
    return texts


def _simulation_table_sql(path: Path) -> list[str]:
    found = []
    for line, text in _sql_texts(ast.parse(path.read_text(encoding="utf-8"))):
        names = set(TABLE_NAME.findall(text) + TABLE_CONSTANT.findall(text))
        if names and SQL_KEYWORD.search(text):
            found.append(f"line {line}: {', '.join(sorted(names))}")
    return found


def test_only_the_simulation_store_runs_sql_on_its_tables() -> None:
    """State, baseline and outbox: other packages call the store (model classes are fine)."""
    found = {}
    for path in _modules(PACKAGE):
        relative = str(path.relative_to(PACKAGE))
        if not relative.startswith(SIMULATION_TABLE_OWNERS) and (v := _simulation_table_sql(path)):
            found[relative] = v
    assert found == {}
    # the check sees the store's own SQL
    assert _simulation_table_sql(PACKAGE / "simulation" / "store" / "tick_writer.py")
