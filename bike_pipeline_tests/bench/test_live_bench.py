"""The live benchmark's gap statistics (pure arithmetic on arrival times)."""

import pytest

from benchmarks.live_bench import gap_summary


def test_gap_summary_of_a_steady_run_with_one_stall() -> None:
    arrivals = [2.0 * i for i in range(100)] + [198.0 + 12.0]
    summary = gap_summary(arrivals)
    assert summary["ticks"] == 101
    assert summary["p50"] == pytest.approx(2.0)
    assert summary["max"] == pytest.approx(12.0)
    assert summary["over_10s"] == 1
    assert summary["p95_ratio"] == pytest.approx(summary["p95"] / 2.0)
