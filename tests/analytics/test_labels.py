"""Codes carried by events are shown in words, in both languages, never as raw codes."""

from __future__ import annotations

import re

import pytest

from services.analytics.domain.labels import CODES, WORDS, code, word


@pytest.mark.parametrize(
    ("value", "en", "ar"),
    [
        ("street_lighting", "Street lighting", "إنارة الشوارع"),  # a community concern
        ("iccs_0501", "Burglary", "السطو"),  # a concern filed under an ICCS division
        ("use_of_force", "Use of force", "استخدام القوة"),  # an allegation category
        ("ombudsman", "Ombudsman", "ديوان المظالم"),  # an oversight body (the demo's)
        ("iccs_9999", "iccs 9999", "iccs 9999"),  # unknown: shown as it is, never an error
    ],
)
def test_codes_in_words(value, en, ar):
    assert (code(value, "en"), code(value, "ar")) == (en, ar)


ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN_ONLY = {"json", "wdd_z", "language"}  # "JSON", "z", and the switch reads "English"


def test_every_word_and_code_has_arabic():
    missing = [
        key
        for key, (_, ar) in (WORDS | CODES).items()
        if key not in LATIN_ONLY and not ARABIC.search(ar)
    ]
    assert not missing, missing


def test_the_page_footnotes_are_in_both_languages():
    for key in ("public_report_rule", "partial_note", "chart_empty", "rows_shown"):
        assert ARABIC.search(word(key, "ar")) and not ARABIC.search(word(key, "en"))
