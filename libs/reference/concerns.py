"""The community concerns fora raise that are not (or not only) crimes, with their English and
Arabic labels; ICCS sections and divisions cover the rest. Shared so that the fora pages and the
ministry dashboard name a concern the same way.

The values are the `concern_categories` vocabulary of the reference set in use
(`libs/reference/data/vocabularies/concern_categories.csv`, or a country's own through
JISR_REFERENCE_DIR).
"""

from __future__ import annotations

from .loader import load_reference


def community_concerns() -> dict[str, tuple[str, str]]:
    """code -> (English, Arabic) of the reference set in use."""
    terms = load_reference().vocabulary("concern_categories").terms
    return {code: (t.label_en, t.label_ar) for code, t in terms.items()}


#: As loaded when this module was first imported (the process's reference set).
COMMUNITY_CONCERNS: dict[str, tuple[str, str]] = community_concerns()

#: How an ICCS category travels as a concern code in events: "0501" → "iccs_0501".
ICCS_CONCERN_PREFIX = "iccs_"
