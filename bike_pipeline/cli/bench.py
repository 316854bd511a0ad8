"""`bike-pipeline bench ...`: the benchmarks behind BENCHMARKS.md (lazily imported).

The benchmarks are not part of the installed package: they live in `benchmarks/` at the root
of the source tree. From a clone (an editable install) that folder sits next to
`bike_pipeline/`, and is imported from there; an installed wheel has none, and the command
says so in one line and exits 2.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

import bike_pipeline

# benchmark name -> "module:attribute" of its click command, inside `benchmarks/`
BENCHMARKS = {
    "ingest": "benchmarks.ingest_bench:ingest",
    "simulate": "benchmarks.simulate_bench:simulate",
    "privacy": "benchmarks.privacy_bench:privacy",
    "graph": "benchmarks.graph_bench:graph",
    "replications": "benchmarks.replications_bench:replications",
    "relay": "benchmarks.relay_bench:relay",
    "dashboard": "benchmarks.dashboard_bench:dashboard",
    "live": "benchmarks.live_bench:live",
    "agreement": "benchmarks.agreement_bench:agreement",
    "dagster": "benchmarks.dagster_bench:dagster",
    "region": "benchmarks.region_bench:region",
}

NOT_IN_THIS_INSTALL = (
    "Error: the benchmarks live in the source tree (benchmarks/ of a clone of the repository); "
    "this installation has none. Run `bike-pipeline bench` from a clone (pip install -e .)."
)


def source_root() -> Path | None:
    """The source tree holding `benchmarks/` next to this `bike_pipeline`, or None (a wheel)."""
    root = Path(bike_pipeline.__file__).resolve().parents[1]
    return root if (root / "benchmarks" / "measure.py").is_file() else None


def _import_benchmark(module: str) -> object:
    root = source_root()
    assert root is not None
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(module)


class _LazyBenchGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if source_root() is None:
            click.echo(NOT_IN_THIS_INSTALL, err=True)
            ctx.exit(2)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(BENCHMARKS) if source_root() is not None else []

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in BENCHMARKS or source_root() is None:
            return None
        module, attribute = BENCHMARKS[cmd_name].split(":")
        return getattr(_import_benchmark(module), attribute)


@click.group(cls=_LazyBenchGroup)
def bench() -> None:
    """Benchmarks (benchmarks/ of the source tree): each compares ours with its anchor in the
    same run and prints ratios."""
