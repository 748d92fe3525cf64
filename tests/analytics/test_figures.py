"""The pure statistics of the views, on plain numbers."""

from __future__ import annotations

import statistics

from services.analytics.domain import figures


def test_percentiles_interpolate_like_the_statistics_module():
    values = [0.5, 2.0, 3.25, 7.0, 11.0, 30.0, 31.5]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert figures.percentile(values, 90) == round(deciles[8], 2)
    assert figures.percentile(values, 50) == statistics.median(values)
    assert figures.percentile([4.0], 90) == 4.0
    assert figures.percentile([], 50) is None


def test_small_counts_are_suppressed_and_a_lone_one_is_protected():
    assert [figures.suppress(n) for n in (0, 1, 4, 5, 12)] == [0, "<5", "<5", 5, 12]
    shown = figures.suppress_column({"AM": 40, "IR": 3, "MA": 9, "KA": 0})
    assert shown == {"AM": 40, "IR": "<5", "MA": "x", "KA": 0}
    two = figures.suppress_column({"AM": 2, "IR": 3, "MA": 9})
    assert two == {"AM": "<5", "IR": "<5", "MA": 9}  # two hidden: neither recoverable
    assert figures.suppress_column({"AM": 2, "IR": 0}) == {"AM": "<5", "IR": 0}


def test_rates_and_shares():
    assert figures.rate_per_100k(12, 400_000) == 3.0
    assert figures.rate_per_100k(12, None) is None
    assert figures.share(1, 3) == 0.3333
    assert figures.share(1, 0) is None
    assert figures.published_rate(3, 400_000) == "<5"
