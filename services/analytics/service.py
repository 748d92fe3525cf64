"""The analytics service definition."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from .pages import router as pages_router
from .projections import CONSUMERS
from .public_routes import router as public_router
from .routes import router

DEFINITION = ServiceDefinition(
    name="analytics",
    title="jisr analytics",
    description="Ministry read models, dashboard and public statistics, built from events.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(router, public_router, pages_router),
    consumers=CONSUMERS,
)
