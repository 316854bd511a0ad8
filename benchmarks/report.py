"""Print a benchmark's measurements as a table with ratios to the anchor."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from benchmarks.measure import Measurement


def print_measurements(
    title: str, anchor: Measurement, others: Sequence[Measurement], unit: str = "rows"
) -> None:
    table = Table(title=title)
    for column in ("variant", "seconds", f"{unit}/s", "x anchor", "peak RSS MiB", "baseline MiB"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for m in (anchor, *others):
        table.add_row(
            m.label + (" (anchor)" if m is anchor else ""),
            f"{m.seconds:.3f}",
            f"{m.per_second:,.0f}",
            f"{m.ratio_to(anchor):.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.baseline_rss_mib:,.0f}",
        )
    Console().print(table)
