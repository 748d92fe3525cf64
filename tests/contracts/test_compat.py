"""breaking_changes: one test per rule, plus the changes that must stay allowed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, create_model

from libs.contracts.compat import breaking_changes
from libs.contracts.incidents import IncidentRecorded


def schema(**fields: Any) -> dict[str, Any]:
    """JSON Schema of a one-off model; fields as for create_model: name=(type, default)."""
    return create_model("Ev", **fields).model_json_schema()


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return breaking_changes(old, new, event="ev.v1")


REQUIRED = ...


# --- removed fields --------------------------------------------------------------------------


def test_removed_field():
    old = schema(a=(int, REQUIRED), b=(int, 0))
    new = schema(a=(int, REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'b' was removed"]


def test_removed_nested_field_in_array_items_names_the_event():
    old = IncidentRecorded.model_json_schema()
    new = IncidentRecorded.model_json_schema()
    del new["$defs"]["Offence"]["properties"]["attempted"]
    assert breaking_changes(old, new, event="incident.recorded.v1") == [
        "incident.recorded.v1: field 'offences[].attempted' was removed"
    ]


def test_event_name_defaults_to_the_schema_title():
    old = schema(a=(int, REQUIRED))
    assert breaking_changes(old, schema()) == ["Ev: field 'a' was removed"]


def test_removed_field_of_nested_model_behind_ref():
    class InnerOld(BaseModel):
        x: int
        y: int

    class InnerNew(BaseModel):
        x: int

    old = schema(inner=(InnerOld, REQUIRED))
    new = schema(inner=(InnerNew, REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'inner.y' was removed"]


# --- types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_type", "new_type", "lost"),
    [
        (float, int, "number"),
        (str, int, "string"),
        (int | str, int, "string"),
        (str | None, str, "null"),
    ],
    ids=["number->integer", "string->integer", "union member type", "nullable->non-nullable"],
)
def test_narrowed_or_changed_type(old_type, new_type, lost):
    found = changes(schema(a=(old_type, REQUIRED)), schema(a=(new_type, REQUIRED)))
    assert len(found) == 1
    assert found[0].startswith("ev.v1: field 'a' type changed from ")
    assert found[0].endswith(f"(no longer accepts {lost})")


def test_removed_union_member_model():
    class Cash(BaseModel):
        amount: int

    class Goods(BaseModel):
        kind: Literal["phone", "car"]

    old = schema(item=(Cash | Goods, REQUIRED))
    new = schema(item=(Cash | None, REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'item' union member 'Goods' was removed"]


def test_narrowed_map_values():
    old = schema(counts=(dict[str, float], REQUIRED))
    new = schema(counts=(dict[str, int], REQUIRED))
    assert changes(old, new) == [
        "ev.v1: field 'counts{}' type changed from number to integer (no longer accepts number)"
    ]


def test_narrowed_array_items():
    old = schema(codes=(list[int | None], REQUIRED))
    new = schema(codes=(list[int], REQUIRED))
    assert changes(old, new) == [
        "ev.v1: field 'codes[]' type changed from integer | null to integer"
        " (no longer accepts null)"
    ]


# --- required --------------------------------------------------------------------------------


def test_new_required_field():
    new = schema(a=(int, REQUIRED), b=(int, REQUIRED))
    assert changes(schema(a=(int, REQUIRED)), new) == ["ev.v1: field 'b' is new and required"]


def test_optional_field_made_required():
    old = schema(a=(int, 0))
    new = schema(a=(int, REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'a' was optional and is now required"]


# --- values ----------------------------------------------------------------------------------


def test_enum_value_removed():
    old = schema(a=(Literal["x", "y", "z"], REQUIRED))
    new = schema(a=(Literal["x", "z"], REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'a' no longer allows the values ['y']"]


def test_const_changed():
    old = schema(a=(Literal["x"], REQUIRED))
    new = schema(a=(Literal["y"], REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'a' no longer allows the values ['x']"]


def test_free_value_restricted_to_enum():
    old = schema(a=(str, REQUIRED))
    new = schema(a=(Literal["x"], REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'a' is now restricted to the values ['x']"]


# --- constraints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_field", "new_field", "message"),
    [
        (Field(max_length=32), Field(max_length=16), "maxLength tightened from 32 to 16"),
        (Field(min_length=1), Field(min_length=2), "minLength tightened from 1 to 2"),
        (Field(), Field(max_length=8), "maxLength 8 was added"),
        (Field(), Field(pattern="^[a-z]+$"), "pattern '^[a-z]+$' was added"),
        (
            Field(pattern="^[a-z]+$"),
            Field(pattern="^[a-z]{2}$"),
            "pattern changed from '^[a-z]+$' to '^[a-z]{2}$'",
        ),
    ],
    ids=["max_length smaller", "min_length larger", "new max_length", "new pattern", "pattern"],
)
def test_tightened_string_constraints(old_field, new_field, message):
    old = schema(a=(Annotated[str, old_field], REQUIRED))
    new = schema(a=(Annotated[str, new_field], REQUIRED))
    assert changes(old, new) == [f"ev.v1: field 'a' {message}"]


@pytest.mark.parametrize(
    ("old_field", "new_field", "message"),
    [
        (Field(le=100), Field(le=50), "maximum tightened from 100 to 50"),
        (Field(ge=0), Field(ge=1), "minimum tightened from 0 to 1"),
        (Field(), Field(ge=0), "minimum 0 was added"),
    ],
    ids=["maximum smaller", "minimum larger", "new minimum"],
)
def test_tightened_number_constraints(old_field, new_field, message):
    old = schema(a=(Annotated[int, old_field], REQUIRED))
    new = schema(a=(Annotated[int, new_field], REQUIRED))
    assert changes(old, new) == [f"ev.v1: field 'a' {message}"]


def test_tightened_array_length():
    old = schema(a=(Annotated[list[int], Field(max_length=10)], REQUIRED))
    new = schema(a=(Annotated[list[int], Field(max_length=5)], REQUIRED))
    assert changes(old, new) == ["ev.v1: field 'a' maxItems tightened from 10 to 5"]


def test_changed_format():
    old = {"type": "object", "properties": {"a": {"type": "string", "format": "date"}}}
    new = {"type": "object", "properties": {"a": {"type": "string", "format": "date-time"}}}
    assert changes(old, new) == ["ev.v1: field 'a' format changed from 'date' to 'date-time'"]


def test_map_no_longer_accepts_extra_keys():
    old = {"type": "object", "properties": {}}
    new = {"type": "object", "properties": {}, "additionalProperties": False}
    assert changes(old, new) == ["ev.v1: the event no longer accepts additional properties"]


# --- allowed changes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_fields", "new_fields"),
    [
        ({"a": (int, REQUIRED)}, {"a": (int, REQUIRED), "b": (str | None, None)}),
        ({"a": (int, REQUIRED)}, {"a": (float, REQUIRED)}),
        ({"a": (int, REQUIRED)}, {"a": (int | None, REQUIRED)}),
        ({"a": (int, REQUIRED)}, {"a": (int, 0)}),
        ({"a": (Literal["x"], REQUIRED)}, {"a": (Literal["x", "y"], REQUIRED)}),
        (
            {"a": (Annotated[str, Field(max_length=8, pattern="^a")], REQUIRED)},
            {"a": (Annotated[str, Field(max_length=16)], REQUIRED)},
        ),
        ({"a": (Annotated[int, Field(ge=1, le=5)], REQUIRED)}, {"a": (int, REQUIRED)}),
        ({"a": (list[int], REQUIRED)}, {"a": (list[int | str], REQUIRED)}),
    ],
    ids=[
        "new optional field",
        "integer->number",
        "becomes nullable",
        "required->optional",
        "enum value added",
        "string constraints relaxed",
        "number bounds dropped",
        "items widened",
    ],
)
def test_widening_is_not_breaking(old_fields, new_fields):
    assert changes(schema(**old_fields), schema(**new_fields)) == []


def test_identical_real_schema_is_not_breaking():
    assert (
        breaking_changes(IncidentRecorded.model_json_schema(), IncidentRecorded.model_json_schema())
        == []
    )


def test_renamed_nested_model_is_compared_by_content():
    class Offence(BaseModel):
        code: str

    class Charge(BaseModel):
        code: str
        note_code: str | None = None

    old = schema(items=(list[Offence], REQUIRED))
    new = schema(items=(list[Charge], REQUIRED))
    assert changes(old, new) == []


def test_type_lists_are_unions():
    old = {"type": "object", "properties": {"a": {"type": ["string", "null"], "maxLength": 8}}}
    new = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 4}}}
    assert changes(old, new) == [
        "ev.v1: field 'a' type changed from null | string to string (no longer accepts null)",
        "ev.v1: field 'a' maxLength tightened from 8 to 4",
    ]
