"""Oversight jurisdictions and freshness.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # oversight jurisdictions (from complaints' oversight_body.registered / .changed)
    """CREATE TABLE oversight_jurisdictions (
        body_id varchar(32) PRIMARY KEY,
        national boolean NOT NULL,
        governorates varchar(8)[] NOT NULL,
        changed_at timestamptz NOT NULL
    )""",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
