"""How much Monte Carlo the report does. Every depth simulates every customer of every
scenario (no subsample), gives each scenario a policy frontier and simulates every tornado
knob with its fleet answer; `full` depth (a flag, or the scheduled report) puts five times
the seeds on every figure and grid point, on a finer grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bike_pipeline.simulation.clock import TICKS_PER_DAY

Depth = Literal["default", "full"]


@dataclass(frozen=True)
class ReportSettings:
    target: float = 0.95
    replications: int = 20  # per headline figure and per verified policy (default depth)
    days: int = 182
    scenarios: tuple[str, ...] = ("seed", "full", "calibrated")
    monte_carlo: bool = True
    workers: int | None = None
    show_progress: bool = True
    depth: Depth = "default"

    @property
    def ticks(self) -> int:
        return self.days * TICKS_PER_DAY

    @property
    def headline_replications(self) -> int:
        """Seeds per headline figure (current fleet) and per verified policy."""
        return self.replications if self.depth == "default" else 5 * self.replications

    @property
    def sensitivity_replications(self) -> int:
        """Seeds per side of each simulated tornado bar (common with the current fleet's)."""
        return 10 if self.depth == "default" else 50

    @property
    def sensitivity_knobs(self) -> tuple[str, ...] | None:
        """The rule knobs simulated for the tornado: None, all of them, each with a pilot
        for its fleet answer, at every depth."""
        return None

    @property
    def grid_replications(self) -> int:
        """Seeds per grid point of the policy frontier (common to all points)."""
        return self.headline_replications

    @property
    def fleet_multipliers(self) -> tuple[float, ...]:
        """Initial fleets of the grid, as multiples of the fleet that balances the demand
        and the erosion a replacement rate leaves (see `frontier`)."""
        if self.depth == "default":
            return (0.4, 0.55, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0)
        return (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5)

    @property
    def replacement_shares(self) -> tuple[float, ...]:
        """Bikes bought per week, as shares of the bikes totalled per week at full service."""
        if self.depth == "default":
            return (0.0, 0.25, 0.5, 0.75, 1.0, 1.25)
        return (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 1.25)
