"""`jisr outbox` and `jisr dlq`: operate a running platform's events.

- ``jisr outbox replay`` re-publishes a service's retained outbox rows, e.g. after losing the
  Kafka cluster; consumers' idempotent inboxes skip whatever they had already applied.
- ``jisr dlq list`` / ``jisr dlq replay`` show a service's dead letters and send them back to
  their original topic once the cause is fixed.

Settings come from the environment (JISR_DATABASE_URL, JISR_KAFKA_BOOTSTRAP, JISR_TOPIC_PREFIX
...), as for `jisr serve`, so the commands work against `jisr up` and production alike.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer

from jisr.progress import bars
from libs.chassis.dead_letters import DeadLetter, read_dead_letters, replay_dead_letters
from libs.chassis.outbox import replay_outbox
from libs.chassis.settings import SERVICES, get_settings
from libs.contracts.topics import TOPICS, topic_named

outbox_app = typer.Typer(
    help="The transactional outbox: re-publish retained events.", no_args_is_help=True
)
dlq_app = typer.Typer(
    help="Dead-letter topics: list parked events and send them back.", no_args_is_help=True
)


def _service(value: str) -> str:
    if value not in SERVICES:
        raise typer.BadParameter(f"unknown service {value!r}; choose from {', '.join(SERVICES)}")
    return value


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO-8601 time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _topic(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return topic_named(value).name
    except KeyError as exc:
        names = ", ".join(t.name for t in TOPICS)
        raise typer.BadParameter(f"unknown topic {value!r}; choose from {names}") from exc


@outbox_app.command("replay")
def outbox_replay(
    service: str = typer.Option(
        ..., "--service", callback=_service, help="The service whose outbox to replay."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only rows created at or after this ISO-8601 time."
    ),
    topic: str | None = typer.Option(
        None, "--topic", callback=_topic, help="Only rows of this registry topic."
    ),
) -> None:
    """Re-publish a service's retained outbox (published or not), in order.

    Use after losing a Kafka cluster: consumers' idempotent inboxes skip what they have.
    Broker errors are retried; the service's live relay pauses until the replay is done.
    """
    moment = _since(since)
    try:
        with bars() as bar:
            count = asyncio.run(
                replay_outbox(
                    get_settings(),
                    service,
                    since=moment,
                    topic=topic,
                    progress=bar(f"replaying {service}'s outbox"),
                )
            )
    except RuntimeError as exc:  # the broker kept failing after the retries
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"replayed {count} events from {service}'s outbox")


def _line(d: DeadLetter, width: int = 80) -> str:
    error = " ".join(f"{d.error_type}: {d.error}".split())
    if len(error) > width:
        error = error[: width - 3] + "..."
    at = d.at.isoformat(timespec="seconds") if d.at else "-"
    return "  ".join(
        [
            str(d.offset),
            d.ce_type or "-",
            d.ce_id or "-",
            d.original_topic or "-",
            error,
            f"attempts={d.attempts}",
            at,
        ]
    )


@dlq_app.command("list")
def dlq_list(
    service: str = typer.Option(
        ..., "--service", callback=_service, help="The consuming service, e.g. analytics."
    ),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many, oldest first."),
) -> None:
    """List a service's dead letters: offset, type, id, original topic, error, attempts, time."""
    settings = get_settings()
    try:
        letters = asyncio.run(read_dead_letters(settings, service, limit=limit))
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if not letters:
        typer.echo(f"no dead letters for {service}")
        return
    for letter in letters:
        typer.echo(_line(letter))


@dlq_app.command("replay")
def dlq_replay(
    service: str = typer.Option(
        ..., "--service", callback=_service, help="The consuming service, e.g. analytics."
    ),
    offsets: list[int] | None = typer.Option(
        None, "--offset", help="Dead-letter offset to replay (repeatable); default: all."
    ),
) -> None:
    """Re-publish dead letters to their original topic with their original headers.

    Use once the cause is fixed. The dead-letter topic keeps them (it is append-only).
    """
    settings = get_settings()
    try:
        count = asyncio.run(replay_dead_letters(settings, service, offsets or None))
    except (LookupError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"replayed {count} dead letters from {service} to their original topics")
