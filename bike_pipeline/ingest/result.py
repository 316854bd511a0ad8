"""What one ingestion of one file did: the counts of CONTRACT section 1."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestResult:
    kind: str
    file_name: str
    file_sha256: str
    data_rows: int
    loaded: int
    updated: int
    unchanged: int
    rejected: int
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    simulation_running: bool = False  # a simulation holds the live state of core.*
    baseline_only: int = 0  # updated rows whose simulated columns went to the baseline only

    @property
    def balanced(self) -> bool:
        """loaded + updated + unchanged + rejected == data rows, as the contract demands."""
        return self.loaded + self.updated + self.unchanged + self.rejected == self.data_rows

    def summary_lines(self) -> list[str]:
        lines = [
            f"{self.kind} ({self.file_name}): {self.data_rows:,} data rows: "
            f"{self.loaded:,} loaded, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.rejected:,} rejected"
        ]
        for reason, count in sorted(self.rejects_by_reason.items(), key=lambda kv: -kv[1]):
            lines.append(f"  rejected {count:>7,}  {reason}")
        if self.simulation_running:
            lines.append(
                f"  a simulation holds the live state: new rows joined it in their dump state; "
                f"{self.baseline_only:,} updated rows changed registration, insurance or status, "
                "stored in the dump baseline only (what `simulate --reset` returns to)"
            )
        return lines
