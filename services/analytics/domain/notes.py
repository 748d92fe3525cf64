"""Notes on a view: a code the pages translate, and the English text for the API."""

from __future__ import annotations

from typing import Any

NOTES = {
    "band_weekly_only": "the expected band is weekly: choose a period of under a year to see it",
    "band_needs_category": "choose an ICCS category to see its expected band",
    "band_unavailable": "expected band unavailable",
    "survey_cells_suppressed": "survey cells under the minimum size are suppressed by the fora "
    "service: left out of the shares and counted, never estimated; suppressed cells",
    # the before/after evaluation (domain.evaluation)
    "evaluation_windows": "equal windows (the WDD compares counts; unequal ones are refused): "
    "before | after (days each)",
    "evaluation_unavailable": "the incidents service's WDD and E-test are unavailable; the "
    "counts are analytics' own",
    "evaluation_counts_differ": "the incidents service counts differently from these tables "
    "(analytics is behind, or incidents changed since): its WDD uses its own counts, shown "
    "with it",
    "evaluation_same_area": "the comparison area is the pilot area itself: the WDD is 0 by "
    "construction; read the before/after counts",
    "evaluation_suggested": "not chosen, so suggested from the survey waves",
    # the programme views (programme.view)
    "list_truncated": "the list is cut to its first rows (shown / all)",
}


def note(code: str, detail: str | None = None) -> dict[str, Any]:
    text = NOTES[code] + (f": {detail}" if detail else "")
    return {"code": code, "detail": detail, "text": text}
