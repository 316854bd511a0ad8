"""`bike-pipeline bench ...`: the benchmarks behind BENCHMARKS.md (lazily imported)."""

from __future__ import annotations

import importlib
import importlib.util

import click

# benchmark name -> "module:attribute" of its click command
BENCHMARKS = {
    "ingest": "bike_pipeline.bench.ingest_bench:ingest",
    "simulate": "bike_pipeline.bench.simulate_bench:simulate",
    "privacy": "bike_pipeline.bench.privacy_bench:privacy",
    "graph": "bike_pipeline.bench.graph_bench:graph",
    "replications": "bike_pipeline.bench.replications_bench:replications",
    "relay": "bike_pipeline.bench.relay_bench:relay",
    "dashboard": "bike_pipeline.bench.dashboard_bench:dashboard",
    "live": "bike_pipeline.bench.live_bench:live",
    "agreement": "bike_pipeline.bench.agreement_bench:agreement",
    "dagster": "bike_pipeline.bench.dagster_bench:dagster",
    "region": "bike_pipeline.bench.region_bench:region",
}


def _installed(name: str) -> bool:
    return importlib.util.find_spec(BENCHMARKS[name].split(":")[0]) is not None


class _LazyBenchGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in BENCHMARKS if _installed(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in BENCHMARKS or not _installed(cmd_name):
            return None
        module, attribute = BENCHMARKS[cmd_name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=_LazyBenchGroup)
def bench() -> None:
    """Benchmarks: each compares ours with its anchor in the same run and prints ratios."""
