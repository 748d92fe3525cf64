"""The committed schemas match the models, and the check catches every kind of drift."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest
from pydantic import Field
from typer.testing import CliRunner

from jisr.cli import app
from libs.contracts.base import EventModel
from libs.contracts.catalogue import ALL_EVENTS
from libs.contracts.schema_registry import SCHEMA_DIR, check_schemas, export_schemas

RECORDED = "incident.recorded.v1.json"


class IncidentRecordedV2(EventModel):
    """A new major version: a new file, so any change to the fields is allowed."""

    event_type = "incident.recorded"
    major = 2

    incident_id: UUID
    station_id: str = Field(max_length=32)
    recorded_at: datetime


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    """A scratch copy of the committed schemas, to tamper with."""
    return Path(shutil.copytree(SCHEMA_DIR, tmp_path / "schemas"))


def edit(path: Path, change) -> None:
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


def test_committed_schemas_match_the_models():
    assert check_schemas() == []


def test_committed_files_are_canonical():
    """Sorted keys, indent 2, trailing newline: what `jisr contracts export` writes."""
    for model in ALL_EVENTS:
        text = (SCHEMA_DIR / f"{model.schema_name()}.json").read_text()
        assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


def test_field_lost_by_the_model_is_reported(schema_dir):
    edit(schema_dir / RECORDED, lambda s: s["properties"].update(legacy_code={"type": "string"}))
    assert check_schemas(schema_dir) == [
        "incident.recorded.v1: field 'legacy_code' was removed; bump the major version"
        " (new class with major=2) instead"
    ]


def test_optional_field_made_required_is_reported(schema_dir):
    """The committed (old) schema had station_id optional; the model (new) requires it."""
    edit(schema_dir / RECORDED, lambda s: s["required"].remove("station_id"))
    [problem] = check_schemas(schema_dir)
    assert "field 'station_id' was optional and is now required" in problem


def test_compatible_change_asks_for_export(schema_dir):
    """The model gained an optional field the committed schema does not have yet."""
    edit(schema_dir / RECORDED, lambda s: s["properties"].pop("counting_rules_version"))
    assert check_schemas(schema_dir) == [
        "incident.recorded.v1: schema out of date: run `jisr contracts export`"
    ]


def test_missing_schema_is_reported(schema_dir):
    (schema_dir / RECORDED).unlink()
    assert check_schemas(schema_dir) == [
        "incident.recorded.v1: no committed schema: run `jisr contracts export`"
    ]


def test_removed_event_type_is_reported(schema_dir):
    shutil.copy(schema_dir / RECORDED, schema_dir / "incident.teleported.v1.json")
    [problem] = check_schemas(schema_dir)
    assert problem.startswith("incident.teleported.v1: committed schema has no event model")


def test_new_major_version_is_allowed(schema_dir):
    models = (*ALL_EVENTS, IncidentRecordedV2)
    assert check_schemas(schema_dir, models) == [
        "incident.recorded.v2: no committed schema: run `jisr contracts export`"
    ]
    export_schemas(schema_dir, [IncidentRecordedV2])
    assert check_schemas(schema_dir, models) == []


def test_export_writes_one_file_per_event(tmp_path):
    paths = export_schemas(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{m.schema_name()}.json" for m in ALL_EVENTS)
    assert check_schemas(tmp_path) == []


# --- the command line: `jisr contracts ...` ------------------------------------------

runner = CliRunner()


def test_cli_check_passes_on_committed_schemas():
    result = runner.invoke(app, ["contracts", "check"])
    assert result.exit_code == 0, result.output
    assert (
        f"contracts check: {len(ALL_EVENTS)} event types, all schemas compatible" in result.output
    )


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda s: s["properties"].update(legacy_code={"type": "string"}),
            "field 'legacy_code' was removed",
        ),
        (
            lambda s: s["required"].remove("station_id"),
            "field 'station_id' was optional and is now required",
        ),
    ],
    ids=["field removed", "optional made required"],
)
def test_cli_check_fails_on_tampered_copy(schema_dir, tamper, message):
    edit(schema_dir / RECORDED, tamper)
    result = runner.invoke(app, ["contracts", "check", "--schema-dir", str(schema_dir)])
    assert result.exit_code == 1
    assert f"incident.recorded.v1: {message}; bump the major version" in result.output


def test_cli_export_refuses_to_hide_a_breaking_change(schema_dir):
    edit(schema_dir / RECORDED, lambda s: s["properties"].update(legacy_code={"type": "string"}))
    refused = runner.invoke(app, ["contracts", "export", "--schema-dir", str(schema_dir)])
    assert refused.exit_code == 1
    assert "legacy_code" in refused.output

    forced = runner.invoke(app, ["contracts", "export", "--force", "--schema-dir", str(schema_dir)])
    assert forced.exit_code == 0, forced.output
    assert str(schema_dir / RECORDED) in forced.output
    assert check_schemas(schema_dir) == []


def test_cli_asyncapi_prints_json():
    result = runner.invoke(app, ["contracts", "asyncapi", "incidents"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["info"]["title"] == "jisr incidents"
