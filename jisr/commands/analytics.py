"""`jisr analytics rebuild`: drop the analytics read models and rebuild them from a replay of
the topics (settings from the environment, as for `jisr serve analytics`)."""

from __future__ import annotations

import asyncio
import gc

import typer

from libs.chassis.settings import get_settings

app = typer.Typer(help="The analytics read models.", no_args_is_help=True)


@app.command("rebuild")
def rebuild_command(
    force: bool = typer.Option(
        False,
        "--force",
        help="Rebuild even from topics that hold less than the read models or the outboxes.",
    ),
) -> None:
    """Empty every analytics read model and project it again from the topics, in one
    transaction (the running service's consumers and readers wait until it commits).
    Safe to run while analytics is serving.

    Refuses (exit 1, nothing changed) when the topics hold fewer events than the read models
    are made of or than the producers' outboxes retained, e.g. after losing the broker:
    replay the outboxes first (`jisr outbox replay`), or pass --force."""
    from jisr.progress import bars
    from services.analytics.application.rebuild import IncompleteTopics, rebuild

    # The imported modules live as long as the command: out of the collector's way (its full
    # collections walked them again and again, a fifth of a replay's time when profiled).
    gc.collect()
    gc.freeze()
    try:
        with bars() as bar:
            result = asyncio.run(rebuild(get_settings(), force=force, progress=bar))
    except IncompleteTopics as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    for consumer, tally in result.items():
        typer.echo(
            f"{consumer:<11} records={tally.records} applied={tally.applied} "
            f"duplicates={tally.duplicates} undecodable={tally.undecodable} "
            f"rejected={tally.rejected}"
        )
        for error in tally.errors[:20]:
            typer.echo(f"  rejected: {error}")
    typer.echo("analytics read models rebuilt")
