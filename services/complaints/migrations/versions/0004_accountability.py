"""Staff directory, review rules, notification reasons, PIN delays and rate-limit keys.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from libs.chassis import rate_limit

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # Who decided the outcome (token subject) and as what: its review must be independent.
    """
    ALTER TABLE complaints
        ADD COLUMN outcome_by    varchar(200),
        ADD COLUMN outcome_actor varchar(32)
    """,
    # What a message tells (codes only: findings per allegation category, outcome, reasons).
    "ALTER TABLE notifications ADD COLUMN details text",
    # Where staff are posted, as the service knows it (never typed by an assigner).
    """
    CREATE TABLE staff_directory (
        staff_id           varchar(200) PRIMARY KEY,
        unit_code          varchar(32)  NOT NULL,
        station_id         varchar(32),
        governorate_code   varchar(8),
        officer_pseudonym  varchar(64),
        updated_by         varchar(200) NOT NULL,
        updated_at         timestamptz  NOT NULL DEFAULT now()
    )
    """,
    *rate_limit.BACKOFF_V1,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
