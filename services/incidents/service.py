"""The incidents service definition: what the chassis needs to run it."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from . import baseline_routes, period_routes, reference_routes, routes

DEFINITION = ServiceDefinition(
    name="incidents",
    title="jisr incidents",
    description="Station incident records (ICCS), reporting periods and national crime baselines.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(
        routes.router,
        period_routes.router,
        baseline_routes.router,
        reference_routes.router,
    ),
)
