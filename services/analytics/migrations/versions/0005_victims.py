"""Crime by victim sex, age band and domestic violence.

Each incident fact keeps the ICCS categories of its domestic offences and its victims (their
number, distinct sexes and age bands) from `incident.recorded`. Rows projected before this
migration hold the empty defaults until `jisr analytics rebuild` replays the topics.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE incident_facts"
    " ADD COLUMN IF NOT EXISTS domestic_categories varchar(8)[] NOT NULL DEFAULT '{}',"
    " ADD COLUMN IF NOT EXISTS victim_count integer NOT NULL DEFAULT 0,"
    " ADD COLUMN IF NOT EXISTS victim_sexes varchar(8)[] NOT NULL DEFAULT '{}',"
    " ADD COLUMN IF NOT EXISTS victim_age_bands varchar(8)[] NOT NULL DEFAULT '{}'",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "ALTER TABLE incident_facts DROP COLUMN IF EXISTS domestic_categories,"
        " DROP COLUMN IF EXISTS victim_count, DROP COLUMN IF EXISTS victim_sexes,"
        " DROP COLUMN IF EXISTS victim_age_bands"
    )
