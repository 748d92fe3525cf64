"""Citizen pages and imported (historical) complaints.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE complaints ADD COLUMN source_reference varchar(64)",
    "ALTER TABLE complaints ADD COLUMN imported_at timestamptz",
    "ALTER TABLE complaints ADD CONSTRAINT complaints_source_reference_key"
    " UNIQUE (source_reference)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
