"""The committed JSON Schemas of every event version, and the check that guards them.

The files under schemas/ are what consumers and oversight bodies were promised. The check
compares each model with its committed file: a compatible change only needs a re-export, a
breaking one needs a new major version (a new class and a new file), never an edited file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import EventModel
from .catalogue import ALL_EVENTS
from .compat import breaking_changes

SCHEMA_DIR = Path(__file__).parent / "schemas"
EXPORT_HINT = "run `jisr contracts export`"


def current_schema(model: type[EventModel]) -> dict[str, Any]:
    """The model's JSON Schema as it reads back from a file (tuples become lists, etc.)."""
    schema: dict[str, Any] = json.loads(json.dumps(model.model_json_schema()))
    return schema


def render(schema: dict[str, Any]) -> str:
    """The committed file format: sorted keys, so diffs show real changes only."""
    return json.dumps(schema, sort_keys=True, indent=2) + "\n"


def export_schemas(
    dir: Path = SCHEMA_DIR, models: Iterable[type[EventModel]] = ALL_EVENTS
) -> list[Path]:
    """Write one <event_type>.v<major>.json per model; returns the paths written."""
    dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for model in models:
        path = dir / f"{model.schema_name()}.json"
        path.write_text(render(current_schema(model)))
        paths.append(path)
    return paths


def check_schemas(
    dir: Path = SCHEMA_DIR, models: Iterable[type[EventModel]] = ALL_EVENTS
) -> list[str]:
    """Problems between the models and the committed schemas; empty means all is well."""
    models = tuple(models)
    problems = []
    for model in models:
        problems += _check_model(dir, model)
    known = {model.schema_name() for model in models}
    for path in sorted(dir.glob("*.json")):
        if path.stem not in known:
            problems.append(
                f"{path.stem}: committed schema has no event model (event type or version"
                " removed; consumers may still need it)"
            )
    return problems


def breaking_problems(
    dir: Path = SCHEMA_DIR, models: Iterable[type[EventModel]] = ALL_EVENTS
) -> list[str]:
    """Breaking changes of the models against their committed schemas (new files are fine)."""
    problems = []
    for model in models:
        path = dir / f"{model.schema_name()}.json"
        if path.exists():
            problems += _breaking(model, json.loads(path.read_text()))
    return problems


def _check_model(dir: Path, model: type[EventModel]) -> list[str]:
    name = model.schema_name()
    path = dir / f"{name}.json"
    if not path.exists():
        return [f"{name}: no committed schema: {EXPORT_HINT}"]
    committed = json.loads(path.read_text())
    breaking = _breaking(model, committed)
    if breaking:
        return breaking
    if committed != current_schema(model):
        return [f"{name}: schema out of date: {EXPORT_HINT}"]
    return []


def _breaking(model: type[EventModel], committed: dict[str, Any]) -> list[str]:
    hint = f"; bump the major version (new class with major={model.major + 1}) instead"
    changes = breaking_changes(committed, current_schema(model), event=model.schema_name())
    return [change + hint for change in changes]
