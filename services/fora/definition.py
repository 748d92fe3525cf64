"""The fora service definition: what the chassis needs to run it."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from .consumers import ALERTS_CONSUMER
from .overdue import overdue_job
from .routes import (
    follow_up,
    health,
    meetings,
    outreach,
    plans,
    public,
    public_plans,
    registry,
    sara,
    surveys,
)

DEFINITION = ServiceDefinition(
    name="fora",
    title="jisr fora",
    description="Community-policing fora: members, meetings, concerns, actions, SARA cases, "
    "perception surveys, community safety plans, outreach, forum health.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=tuple(
        module.router
        for module in (
            registry,
            meetings,
            follow_up,
            sara,
            surveys,
            plans,
            outreach,
            health,
            public,
            public_plans,
        )
    ),  # fmt: skip
    consumers=(ALERTS_CONSUMER,),
    background=(overdue_job(),),
)
