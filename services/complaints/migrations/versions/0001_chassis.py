"""Chassis tables: outbox, inbox, idempotency keys.

Revision ID: 0001
Revises:
"""

from alembic import op

from libs.chassis import chassis_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in chassis_tables.V1:
        op.execute(statement)


def downgrade() -> None:
    for table in ("idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
