"""The catalogue, the topic registry and the models agree, and contracts stay dependency-free."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import libs.contracts
from libs.contracts.base import EventModel
from libs.contracts.catalogue import ALL_EVENTS, CATALOGUE, event_class
from libs.contracts.complaints import ComplaintFindingRecorded
from libs.contracts.fora import Attendance
from libs.contracts.incidents import IncidentRecorded
from libs.contracts.topics import TOPICS

from .samples import NOW

CONTRACTS_DIR = Path(libs.contracts.__file__).parent
ALLOWED_THIRD_PARTY = {"pydantic", "uuid6"}


def _all_subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_all_subclasses(sub))]


def test_catalogue_lists_every_event_model():
    declared = {
        model
        for model in _all_subclasses(EventModel)
        if model.__module__.startswith("libs.contracts.") and hasattr(model, "event_type")
    }
    assert declared == set(ALL_EVENTS)


def test_catalogue_is_keyed_by_cloudevents_type():
    assert len(CATALOGUE) == len(ALL_EVENTS)
    assert CATALOGUE["jisr.incident.recorded.v1"] is IncidentRecorded
    assert event_class("jisr.incident.recorded.v1") is IncidentRecorded
    with pytest.raises(KeyError, match="jisr.incident.teleported.v1"):
        event_class("jisr.incident.teleported.v1")


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.schema_name())
def test_each_event_is_carried_by_exactly_one_topic(model):
    carriers = [topic.name for topic in TOPICS if model.event_type in topic.event_types]
    assert len(carriers) == 1, f"{model.event_type} is carried by {carriers}"


def test_every_topic_event_type_has_a_model():
    known = {model.event_type for model in ALL_EVENTS}
    for topic in TOPICS:
        missing = set(topic.event_types) - known
        assert not missing, f"{topic.name} carries unknown event types {missing}"


def test_contracts_import_only_pydantic_uuid6_and_stdlib():
    for path in CONTRACTS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                allowed = root in sys.stdlib_module_names or root in ALLOWED_THIRD_PARTY
                assert allowed, f"{path.name} imports {root}"


def test_events_are_strict():
    with pytest.raises(ValidationError, match="officer_pseudonym"):
        ComplaintFindingRecorded(
            complaint_id="0190a6a0-0000-7000-8000-000000000002",
            allegation_id="0190a6a0-0000-7000-8000-000000000003",
            category="discourtesy",
            officer_pseudonym="Sgt. Example",
            finding="SUBSTANTIATED",
            recorded_at=NOW,
        )
    with pytest.raises(ValidationError, match="total must be at least women \\+ men"):
        Attendance(women=3, men=4, total=5)
