"""Which incidents a filtered baseline series counts: by the domestic flag of its offences and
by its victims' sex and age band. Pure: the repository turns it into SQL.

- `domestic=true`: incidents with a domestic offence in the category (any category when none is
  given); `domestic=false`: the rest, so the two series add up to the unfiltered one.
- `victim_sex` and `victim_age_band`: incidents with at least one victim of that sex and age
  band (both given: one victim who is both). An incident with two such victims counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.chassis.errors import RuleViolation
from libs.contracts.incidents import AgeBand, Sex


@dataclass(frozen=True)
class SeriesFilter:
    domestic: bool | None = None
    victim_sex: Sex | None = None
    victim_age_band: AgeBand | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.domestic, self.victim_sex, self.victim_age_band))

    @property
    def by_victim(self) -> bool:
        return self.victim_sex is not None or self.victim_age_band is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "domestic": self.domestic,
            "victim_sex": self.victim_sex,
            "victim_age_band": self.victim_age_band,
        }


def check_series_filter(series: SeriesFilter, as_of_given: bool) -> None:
    """Victims never change after recording, so a past series by victim is exact; the domestic
    flag moves with a reclassification and past flags are not kept, so it has no "as of"."""
    if as_of_given and series.domestic is not None:
        raise RuleViolation(
            ("query", "domestic"),
            "cannot be combined with as_of: the domestic flag of past classifications is not kept",
        )
