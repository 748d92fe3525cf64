"""The fora service definition (chassis only so far; the fora issue builds it)."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="fora",
    title="jisr fora",
    description="Community-policing fora: members, meetings, concerns, actions, SARA cases, "
    "perception surveys.",
    migrations_dir=Path(__file__).parent / "migrations",
)
