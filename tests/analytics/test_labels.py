"""Codes carried by events are shown in words, in both languages, never as raw codes."""

from __future__ import annotations

import pytest

from services.analytics.domain.labels import code


@pytest.mark.parametrize(
    ("value", "en", "ar"),
    [
        ("street_lighting", "Street lighting", "إنارة الشوارع"),  # a community concern
        ("iccs_0501", "Burglary", "السطو"),  # a concern filed under an ICCS division
        ("use_of_force", "Use of force", "استخدام القوة"),  # an allegation category
        ("iccs_9999", "iccs 9999", "iccs 9999"),  # unknown: shown as it is, never an error
    ],
)
def test_codes_in_words(value, en, ar):
    assert (code(value, "en"), code(value, "ar")) == (en, ar)
