"""Victim and offender summaries in counts and filters.

Filtered baselines (`domestic=`, `victim_sex=`, `victim_age_band=`) read an area's current
classifications and look up each incident's offences and victims: an index for each lookup.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS incident_versions_current_station"
    " ON incident_versions (station_id, week_start) WHERE valid_to IS NULL",
    "CREATE INDEX IF NOT EXISTS offences_domestic ON offences (incident_id) WHERE domestic",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS offences_domestic")
    op.execute("DROP INDEX IF EXISTS incident_versions_current_station")
