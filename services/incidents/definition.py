"""The incidents service definition: what the chassis needs to run it."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

from .alert_rechecks import alert_rechecks
from .application.upload_jobs import upload_jobs
from .routes import baselines, periods, records, reference

DEFINITION = ServiceDefinition(
    name="incidents",
    title="jisr incidents",
    description="Station incident records (ICCS), reporting periods and national crime baselines.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(
        records.router,
        periods.router,
        baselines.router,
        reference.router,
    ),
    background=(alert_rechecks, upload_jobs),
)
