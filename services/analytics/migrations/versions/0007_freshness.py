"""Freshness: per consumed topic, the latest event time applied and how many events were.

The consumers keep it (services/analytics/freshness.py, inside each projection's transaction);
it is a read model like the others, so `jisr analytics rebuild` empties and refills it, and
fills it for the events applied before this revision.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE applied_event_times (
        topic varchar(100) NOT NULL,
        latest_event_at timestamptz NOT NULL,
        applied bigint NOT NULL,
        PRIMARY KEY (topic)
    )""",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS applied_event_times")
