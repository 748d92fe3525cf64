"""One row of `jisr bench all`: a figure, the raw baseline measured in the same run, their ratio.

Every benchmark module returns its result with a `rows()` method giving these, so `jisr bench
all` can print one table (and `--json`) and runs can be compared from one to the next.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class BenchRow:
    path: str  # e.g. "P3 station submissions (incidents)"
    figure: float  # jisr's throughput, in `unit`
    baseline: float  # the raw baseline's throughput in the same run, same unit
    unit: str  # e.g. "req/s", "rows/s", "events/s"
    target_ratio: float  # e.g. 0.5 (figure / baseline must reach it)
    extra: dict[str, float | int | str] = field(default_factory=dict)  # p50_ms, p99_ms, peak_mib

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else 0.0

    @property
    def meets(self) -> bool:
        return self.ratio >= self.target_ratio

    def as_json(self) -> dict:
        return asdict(self) | {"ratio": round(self.ratio, 4), "meets": self.meets}
