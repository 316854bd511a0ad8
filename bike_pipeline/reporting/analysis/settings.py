"""How much Monte Carlo the report does: the default depth keeps `bike-pipeline run` within
minutes on two cores; `full` depth (a flag, or the scheduled report) simulates every
customer, a finer policy grid and as many replications on every grid point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bike_pipeline.simulation.clock import TICKS_PER_DAY

Depth = Literal["default", "full"]


@dataclass(frozen=True)
class ReportSettings:
    target: float = 0.95
    replications: int = 20  # per headline figure and per verified policy
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
    def max_customers(self) -> int | None:
        """Scenarios evaluating every customer each tick run on a random subsample of this
        many customers (fleet scaled alike) at the default depth; everyone at full depth."""
        return 500 if self.depth == "default" else None

    def frontier_for(self, position: int) -> bool:
        """Whether the scenario at `position` of the report (0: the run's own) gets a policy
        frontier: at the default depth only the run's scenario does (time), all at full."""
        return position == 0 or self.depth == "full"

    @property
    def sensitivity_replications(self) -> int:
        """Seeds per side of each simulated tornado bar (common with the current fleet's)."""
        return 2 if self.depth == "default" else 5

    @property
    def sensitivity_knobs(self) -> tuple[str, ...] | None:
        """The rule knobs simulated for the tornado (None: all, each with a pilot for its
        fleet answer). The default depth simulates the two the money answer hinges on, the
        totalled rate (with the break-even rate) and churn, without pilots: the other rule
        knobs and the fleet answers per knob are `--depth full`."""
        return ("totalled rate", "churn after refusals") if self.depth == "default" else None

    @property
    def grid_replications(self) -> int:
        """Seeds per grid point of the policy frontier (common to all points)."""
        return 3 if self.depth == "default" else self.replications

    @property
    def fleet_multipliers(self) -> tuple[float, ...]:
        """Initial fleets of the grid, as multiples of the fleet that balances the demand
        and the erosion a replacement rate leaves (see `frontier`)."""
        if self.depth == "default":
            return (0.8, 1.6, 3.2)
        return (0.4, 0.55, 0.7, 0.85, 1.0, 1.15, 1.3, 1.6, 2.0)

    @property
    def replacement_shares(self) -> tuple[float, ...]:
        """Bikes bought per week, as shares of the bikes totalled per week at full service."""
        if self.depth == "default":
            return (0.0, 0.5, 1.0)
        return (0.0, 0.25, 0.5, 0.75, 1.0, 1.25)
