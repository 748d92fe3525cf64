"""Notes on a view: a code the pages translate, and the English text for the API."""

from __future__ import annotations

from typing import Any

NOTES = {
    "band_weekly_only": "the expected band is weekly: choose a period of under a year to see it",
    "band_needs_category": "choose an ICCS category to see its expected band",
    "band_unavailable": "expected band unavailable",
    "survey_cells_suppressed": "survey cells under the minimum size are suppressed by the fora "
    "service: left out of the shares and counted, never estimated; suppressed cells",
}


def note(code: str, detail: str | None = None) -> dict[str, Any]:
    text = NOTES[code] + (f": {detail}" if detail else "")
    return {"code": code, "detail": detail, "text": text}
