"""`jisr contracts`: keep the committed event schemas honest and publish AsyncAPI documents."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from libs.contracts.asyncapi import asyncapi_document
from libs.contracts.catalogue import ALL_EVENTS
from libs.contracts.schema_registry import (
    SCHEMA_DIR,
    breaking_problems,
    check_schemas,
    export_schemas,
)

app = typer.Typer(
    help="Event contracts: check schema compatibility, export schemas, AsyncAPI.",
    no_args_is_help=True,
)

SchemaDir = typer.Option(
    SCHEMA_DIR, "--schema-dir", help="Folder of committed JSON Schemas.", file_okay=False
)


@app.command()
def check(schema_dir: Path = SchemaDir) -> None:
    """Fail if any event model broke, outran or lost its committed schema."""
    problems = check_schemas(schema_dir)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"contracts check: {len(ALL_EVENTS)} event types, all schemas compatible")


@app.command()
def export(
    schema_dir: Path = SchemaDir,
    force: bool = typer.Option(
        False, "--force", help="Overwrite even a breaking change (only before anyone consumes it)."
    ),
) -> None:
    """Write the JSON Schema of every event version; refuses to paper over a breaking change."""
    breaking = [] if force else breaking_problems(schema_dir)
    if breaking:
        for problem in breaking:
            typer.echo(problem, err=True)
        raise typer.Exit(1)
    for path in export_schemas(schema_dir):
        typer.echo(str(path))


@app.command()
def asyncapi(
    service: str = typer.Argument(..., help="complaints, fora, incidents or analytics"),
) -> None:
    """Print the AsyncAPI 3.0 document of one service."""
    try:
        doc = asyncapi_document(service)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="SERVICE") from exc
    typer.echo(json.dumps(doc, indent=2))
