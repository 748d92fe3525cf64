"""Pure statistics for the views (no I/O): percentiles, shares, rates, small-cell suppression.

Kept apart from the queries so each rule is unit-tested on plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import numpy as np

PER = 100_000
MIN_PUBLISHED = 5  # public counts from 1 to 4 are shown as "<5"
SMALL = "<5"
WITHHELD = "x"  # a second cell hidden so the small one cannot be worked out from the total


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks (numpy's
    default, the same as statistics.quantiles(method="inclusive")); None when empty."""
    if not values:
        return None
    return round(float(np.percentile(np.asarray(values, dtype=float), q)), 2)


def share(part: float, whole: float) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def rate_per_100k(count: int, population: int | None) -> float | None:
    return round(count * PER / population, 2) if population else None


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86_400


def counts_by(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return dict(sorted(out.items()))


def suppress(count: int) -> int | str:
    """A public count: 0 and 5 or more as they are, 1 to 4 as "<5"."""
    return SMALL if 0 < count < MIN_PUBLISHED else count


def suppress_column(counts: Mapping[str, int]) -> dict[str, int | str]:
    """Suppress a column of counts that is published with its total.

    Cells from 1 to 4 become "<5". When exactly one cell is hidden, the total minus the others
    would give it away, so the smallest other non-zero cell is withheld too ("x").
    """
    shown: dict[str, int | str] = {key: suppress(n) for key, n in counts.items()}
    hidden = [k for k, v in shown.items() if v == SMALL]
    if len(hidden) == 1:
        others = [(n, k) for k, n in counts.items() if k not in hidden and n > 0]
        if others:
            shown[min(others)[1]] = WITHHELD
    return shown


def published_rate(count: int, population: int | None) -> float | str | None:
    """A public rate is withheld with its count: a rate from a count under 5 reveals it."""
    if 0 < count < MIN_PUBLISHED:
        return SMALL
    return rate_per_100k(count, population)
