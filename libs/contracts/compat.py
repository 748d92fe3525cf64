"""Backward-compatibility rules between two JSON Schemas of the same event version.

Within one major version, consumers written against the old schema must keep working with events
of the new one, and replayed old events must still validate against the new model. So the new
schema may only widen: it may add optional fields, accept more types, allow more values and relax
constraints; anything else is breaking and needs a new major version (a new class, a new file).
"""

from __future__ import annotations

import re
from typing import Any

Schema = dict[str, Any]

#: Bounds that a new schema must not lower (upper bounds) or raise (lower bounds).
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
#: Constraints that must not appear or change.
EXACT_CONSTRAINTS = ("pattern", "format", "multipleOf")


def breaking_changes(old: Schema, new: Schema, event: str | None = None) -> list[str]:
    """Every way `new` breaks consumers or data of `old`; empty if `new` only widens it.

    `event` names the event version in the messages; by default the new schema's title.
    """
    name = event or new.get("title", "schema")
    diff = _Diff(old.get("$defs", {}), new.get("$defs", {}))
    problems = dict.fromkeys(diff.compare(old, new, ""))  # a ["string", "null"] type is seen twice
    return [f"{name}: {problem}" for problem in problems]


class _Diff:
    """Walks an old and a new schema side by side, each resolving `$ref`s in its own `$defs`."""

    def __init__(self, old_defs: Schema, new_defs: Schema) -> None:
        self.old_defs = old_defs
        self.new_defs = new_defs

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        """Compare two schemas of one value: first the types it may take, then each type."""
        old_types = _by_type(old, self.old_defs)
        new_types = _by_type(new, self.new_defs)
        if "any" in new_types:
            return []
        lost = [t for t in old_types if _counterparts(t, new_types) is None]
        problems = []
        if lost:
            problems.append(
                f"{_field(path)} type changed from {_fmt(old_types)} to {_fmt(new_types)}"
                f" (no longer accepts {_fmt(lost)})"
            )
        for type_, old_variants in old_types.items():
            new_variants = _counterparts(type_, new_types) or []
            for old_variant, new_variant in _pairs(old_variants, new_variants):
                if new_variant is None:
                    title = old_variant.get("title")
                    problems.append(f"{_field(path)} union member {title!r} was removed")
                else:
                    problems += self._compare_variant(type_, old_variant, new_variant, path)
        return problems

    def _compare_variant(self, type_: str, old: Schema, new: Schema, path: str) -> list[str]:
        problems = _values_problems(old, new, path) + _constraint_problems(old, new, path)
        if type_ == "array":
            problems += self._compare_items(old, new, path)
        if type_ == "object":
            problems += self._compare_object(old, new, path)
        return problems

    def _compare_items(self, old: Schema, new: Schema, path: str) -> list[str]:
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            return self.compare(old["items"], new["items"], f"{path}[]")
        return []

    def _compare_object(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        problems = [
            f"field '{_join(path, name)}' was removed"
            for name in old_props
            if name not in new_props
        ]
        for name in sorted(new_required - old_required):
            if name in old_props:
                problems.append(f"field '{_join(path, name)}' was optional and is now required")
            else:
                problems.append(f"field '{_join(path, name)}' is new and required")
        for name in old_props:
            if name in new_props:
                problems += self.compare(old_props[name], new_props[name], _join(path, name))
        return problems + self._compare_extra(old, new, path)

    def _compare_extra(self, old: Schema, new: Schema, path: str) -> list[str]:
        """additionalProperties: a map's values, or whether unknown keys are accepted at all."""
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if new_extra is False and old_extra is not False:
            return [f"{_field(path)} no longer accepts additional properties"]
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            return self.compare(old_extra, new_extra, f"{path}{{}}")
        return []


def _resolve(node: Schema, defs: Schema) -> Schema:
    """Follow `$ref` into `$defs`; keywords next to the `$ref` stay."""
    while "$ref" in node:
        ref = node["$ref"]
        key = ref.removeprefix("#/$defs/")
        if key not in defs:
            raise ValueError(f"cannot resolve $ref {ref!r}")
        node = {**defs[key], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _variants(node: Schema, defs: Schema) -> list[Schema]:
    """The alternatives of a value: anyOf/oneOf flattened, `$ref`s resolved."""
    node = _resolve(node, defs)
    branches = node.get("anyOf") or node.get("oneOf")
    if branches is None:
        return [node]
    return [variant for branch in branches for variant in _variants(branch, defs)]


def _types(node: Schema) -> list[str]:
    """JSON types a variant accepts; "any" for a schema with no type restriction."""
    declared = node.get("type")
    if isinstance(declared, list):
        return declared
    if declared:
        return [declared]
    if "properties" in node:
        return ["object"]
    values = _allowed_values(node)
    if values is not None:
        return sorted({_json_type(value) for value in values})
    return ["any"]


def _by_type(node: Schema, defs: Schema) -> dict[str, list[Schema]]:
    groups: dict[str, list[Schema]] = {}
    for variant in _variants(node, defs):
        for type_ in _types(variant):
            groups.setdefault(type_, []).append(variant)
    return groups


def _counterparts(type_: str, new_types: dict[str, list[Schema]]) -> list[Schema] | None:
    """The new variants that accept what an old variant of `type_` accepted (integer ⊂ number)."""
    if type_ in new_types:
        return new_types[type_]
    if type_ == "integer" and "number" in new_types:
        return new_types["number"]
    return None


def _pairs(olds: list[Schema], news: list[Schema]) -> list[tuple[Schema, Schema | None]]:
    """Which new variant each old variant of one type became.

    A lone variant pairs with a lone variant whatever its title (a renamed nested model is
    compared by content); among several, variants pair by title, and an unmatched one is gone.
    """
    if not news:
        return []
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])]
    by_title = {new.get("title"): new for new in news}
    return [(old, by_title.get(old.get("title"))) for old in olds]


def _values_problems(old: Schema, new: Schema, path: str) -> list[str]:
    old_values, new_values = _allowed_values(old), _allowed_values(new)
    if new_values is None:
        return []
    if old_values is None:
        return [f"{_field(path)} is now restricted to the values {new_values}"]
    removed = [value for value in old_values if value not in new_values]
    return [f"{_field(path)} no longer allows the values {removed}"] if removed else []


def _constraint_problems(old: Schema, new: Schema, path: str) -> list[str]:
    if _enum_widened(old, new):
        return []
    problems = []
    for key in UPPER_BOUNDS + LOWER_BOUNDS:
        if key not in new:
            continue
        if key not in old:
            problems.append(f"{_field(path)} {key} {new[key]!r} was added")
        elif new[key] < old[key] if key in UPPER_BOUNDS else new[key] > old[key]:
            problems.append(f"{_field(path)} {key} tightened from {old[key]!r} to {new[key]!r}")
    for key in EXACT_CONSTRAINTS:
        if key not in new or new.get(key) == old.get(key):
            continue
        if key in old:
            problems.append(f"{_field(path)} {key} changed from {old[key]!r} to {new[key]!r}")
        else:
            problems.append(f"{_field(path)} {key} {new[key]!r} was added")
    return problems


def _enum_widened(old: Schema, new: Schema) -> bool:
    """An enum became any value of a shape (a pattern, a length) that every old value has:
    e.g. a fixed list of group codes became codes from a country's vocabulary."""
    old_values = _allowed_values(old)
    if old_values is None or _allowed_values(new) is not None:
        return False
    return all(isinstance(v, str) and _string_fits(v, new) for v in old_values)


def _string_fits(value: str, schema: Schema) -> bool:
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        return False
    longest: int = schema.get("maxLength", len(value))
    shortest: int = schema.get("minLength", 0)
    return shortest <= len(value) <= longest


def _allowed_values(node: Schema) -> list[Any] | None:
    """The enum/const values a variant is limited to, or None if it is not limited."""
    if "const" in node:
        return [node["const"]]
    return node.get("enum")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _field(path: str) -> str:
    return f"field '{path}'" if path else "the event"


def _fmt(types: Any) -> str:
    return " | ".join(sorted(types))
