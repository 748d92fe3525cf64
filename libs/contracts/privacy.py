"""The tested rule "no personal data in any event" (DESIGN.md, Events).

Events fan out to analytics and oversight bodies and are kept for replay, so a personal detail in
an event cannot be erased. Two checks catch it before it ships: field names that say personal
data, and strings that could carry anything (free text). The walk goes over the model's JSON
Schema, so nested models, lists, maps and unions are covered the way they are serialised.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

#: Words (in snake_case field names) that mean personal data.
PERSONAL_WORDS = frozenset(
    {
        "name", "surname", "phone", "mobile", "email", "nid", "passport", "address", "street",
        "narrative", "description", "statement", "notes", "comment", "dob", "latitude",
        "longitude", "lat", "lon", "lng", "coordinates", "geo",
    }
)  # fmt: skip
#: Multi-word terms, matched as consecutive words.
PERSONAL_TERMS = (
    ("first", "name"),
    ("full", "name"),
    ("e", "mail"),
    ("national", "id"),
    ("free", "text"),
    ("birth", "date"),
    ("date", "of", "birth"),
    ("ip", "address"),
)
#: String formats that hold a structured value, not text (pydantic's UUID, datetime, ...).
STRUCTURED_FORMATS = frozenset({"uuid", "date", "date-time", "time", "duration"})
#: Keywords that bound a string; any one of them stops it being free text.
STRING_BOUNDS = ("maxLength", "pattern", "enum", "const")
#: Keywords that give a value some shape; a schema with none of them accepts anything.
SHAPE_KEYWORDS = ("type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const", "properties")


def personal_data_fields(model: type[BaseModel]) -> list[str]:
    """Messages "<Model>.<path>: <reason>" for every field that may carry personal data."""
    schema = model.model_json_schema()
    problems: list[str] = []
    _walk(schema, model.__name__, schema.get("$defs", {}), problems, frozenset())
    return list(dict.fromkeys(problems))


#: An exact age is personal; a band of ages ("age_band", "age_group") is a statistic.
AGE_BANDS = frozenset({"band", "bands", "group", "groups", "range"})


def is_personal_name(field_name: str) -> bool:
    words = tuple(field_name.lower().split("_"))
    if PERSONAL_WORDS.intersection(words):
        return True
    if "age" in words and not AGE_BANDS.intersection(words):
        return True
    return any(_contains(words, term) for term in PERSONAL_TERMS)


def _contains(words: tuple[str, ...], term: tuple[str, ...]) -> bool:
    return any(words[i : i + len(term)] == term for i in range(len(words)))


def _walk(
    node: dict[str, Any], path: str, defs: dict[str, Any], out: list[str], seen: frozenset[str]
) -> None:
    """Report on `node` and everything inside it; `seen` stops recursive models looping."""
    ref = node.get("$ref")
    if ref is not None:
        key = ref.removeprefix("#/$defs/")
        if key in seen:
            return
        seen = seen | {key}
        node = {**defs[key], **{k: v for k, v in node.items() if k != "$ref"}}
    out.extend(f"{path}: {reason}" for reason in _reasons(node))
    for keyword in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for branch in node.get(keyword, []):
            _walk(branch, path, defs, out, seen)
    for name, prop in node.get("properties", {}).items():
        if is_personal_name(name):
            out.append(f"{path}.{name}: personal-data field name")
        _walk(prop, f"{path}.{name}", defs, out, seen)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], f"{path}[]", defs, out, seen)
    if isinstance(node.get("additionalProperties"), dict):
        _walk(node["additionalProperties"], f"{path}{{}}", defs, out, seen)


def _reasons(node: dict[str, Any]) -> list[str]:
    """Why this one schema node (not its children) could carry free text."""
    if not any(keyword in node for keyword in SHAPE_KEYWORDS):
        return ["untyped value (could carry free text)"]
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    reasons = []
    if "string" in types and not _bounded_string(node):
        reasons.append("free text (unbounded str)")
    if "object" in types and _free_keys(node):
        reasons.append("free-form map (unbounded str keys)")
    return reasons


def _bounded_string(node: dict[str, Any]) -> bool:
    return any(k in node for k in STRING_BOUNDS) or node.get("format") in STRUCTURED_FORMATS


def _free_keys(node: dict[str, Any]) -> bool:
    """A map whose keys are arbitrary strings; a model passes unless it keeps extra keys."""
    extra = node.get("additionalProperties")
    if extra is False or (extra is None and "properties" in node):
        return False
    keys = node.get("propertyNames")
    return keys is None or not _bounded_string(keys)
