"""The analytics service definition: its routers and its consumers (it publishes nothing)."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from .consumers import CONSUMERS
from .freshness.watch import watch_freshness
from .routes.pages import router as pages_router
from .routes.public import router as public_router
from .routes.stats import router

DEFINITION = ServiceDefinition(
    name="analytics",
    title="jisr analytics",
    description="Ministry read models, dashboard and public statistics, built from events.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(router, public_router, pages_router),
    consumers=CONSUMERS,
    background=(watch_freshness,),  # keeps "figures as of" and the lag per topic current
)
