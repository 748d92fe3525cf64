"""The complaints service definition: what the chassis needs to run it."""

from __future__ import annotations

from pathlib import Path

from libs.chassis.service import Runtime, ServiceDefinition

from . import routes
from .config import ComplaintsConfig
from .routes import history as history_import
from .routes import pages as citizen_pages
from .scheduler import Scheduler


def make_definition(config: ComplaintsConfig | None = None) -> ServiceDefinition:
    """The service with its configuration (tests pass short clocks and small limits)."""
    config = config or ComplaintsConfig()

    async def scheduler(rt: Runtime) -> None:
        await Scheduler(rt, config).run()

    return ServiceDefinition(
        name="complaints",
        title="jisr complaints",
        description="Complaints against police conduct: intake, triage, investigation, findings, "
        "review, statutory clocks and a ledger oversight bodies can verify.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=(*routes.routers(config), citizen_pages.build(config), history_import.build()),
        background=(scheduler,),
    )


DEFINITION = make_definition()
