"""The analytics service definition."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from .projections import INCIDENTS_CONSUMER
from .routes import router

DEFINITION = ServiceDefinition(
    name="analytics",
    title="jisr analytics",
    description="Ministry read models, dashboard and public statistics, built from events.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(router,),
    consumers=(INCIDENTS_CONSUMER,),
)
