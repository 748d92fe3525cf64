"""Vocabularies are reference data (libs/reference): Arabic and English labels, swapped per
country with JISR_REFERENCE_DIR, and widening an enum of codes to a vocabulary's codes keeps
the event schemas compatible."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.contracts.compat import breaking_changes
from libs.reference import load_reference
from libs.reference.loader import DEFAULT_DIR, VOCABULARIES
from services.fora.schemas import MemberIn

IRAQ = DEFAULT_DIR / "iraq"


def test_the_packaged_vocabularies_have_both_labels_and_the_programmes_values():
    reference = load_reference(DEFAULT_DIR)
    assert set(reference.vocabularies) == set(VOCABULARIES)
    for vocabulary in reference.vocabularies.values():
        assert all(t.label_en and t.label_ar for t in vocabulary.terms.values())
    expect = {
        "member_groups": {"media", "parents", "judiciary", "local_government"},
        "activity_kinds": {"workshop", "awareness_campaign", "training"},
        "audiences": {"police_officers"},
        "meeting_kinds": {"regular", "women_only", "public_consultation", "town_hall",
                          "focus_group", "follow_up"},
        "forum_origins": {"programme_ngo", "police", "law"},
        "concern_categories": {"domestic_violence", "abandoned_buildings"},
    }  # fmt: skip
    for name, codes in expect.items():
        assert codes <= set(reference.vocabulary(name).codes), name
    assert reference.vocabulary("audiences").label("police_officers", "ar") == "ضباط وأفراد الشرطة"


def test_a_country_set_replaces_what_it_brings_and_keeps_the_rest(tmp_path: Path):
    iraq = load_reference(IRAQ)
    assert iraq.national_code == "IQ" and len(iraq.governorates) == 18
    assert "mukhtar" in iraq.vocabulary("member_groups")
    assert iraq.vocabulary("activity_kinds") == load_reference(DEFAULT_DIR).vocabulary(
        "activity_kinds"
    )
    assert iraq.iccs == load_reference(DEFAULT_DIR).iccs  # ICCS left out: the packaged one
    assert iraq.areas_within("BG") >= {"BG", "BG-01", "BG-01-S1"}
    assert "AM-01" not in iraq.areas_within("IQ")

    (tmp_path / "vocabularies").mkdir()
    for name in ("geography.csv", "country.csv"):
        (tmp_path / name).write_text((IRAQ / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "vocabularies" / "audiences.csv").write_text(
        "code,label_en,label_ar\nImams,Imams,الأئمة\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="not a code"):
        load_reference(tmp_path)


def test_requests_are_checked_against_the_vocabulary_in_use(monkeypatch):
    body = {"name": "x", "role": "community_representative", "represents": "mukhtar"}
    with pytest.raises(ValueError, match="member_groups"):
        MemberIn.model_validate(body)
    monkeypatch.setenv("JISR_REFERENCE_DIR", str(IRAQ))
    assert MemberIn.model_validate(body).represents == "mukhtar"


def test_an_enum_widened_to_a_code_pattern_is_compatible_and_a_narrowing_is_not():
    old = {"type": "object", "properties": {"group": {"type": "string", "enum": ["youth", "ngo"]}}}
    widened = {"type": "object", "properties": {
        "group": {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,31}$"}}}  # fmt: skip
    assert breaking_changes(old, widened) == []
    narrowed = {"type": "object", "properties": {
        "group": {"type": "string", "pattern": r"^[a-z]{0,3}$"}}}  # fmt: skip
    assert breaking_changes(old, narrowed) != []  # "youth" no longer fits
