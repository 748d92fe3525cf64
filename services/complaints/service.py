"""The complaints service definition (chassis only so far; the complaints issue builds it)."""

from pathlib import Path

from libs.chassis.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="complaints",
    title="jisr complaints",
    description="Complaints against police conduct: intake, triage, investigation, findings, "
    "review, statutory clocks and a ledger oversight bodies can verify.",
    migrations_dir=Path(__file__).parent / "migrations",
)
