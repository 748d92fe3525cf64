"""Meetings of a kind that needs no quorum (a public consultation, a town hall) are kept out
of quorum rates: fora's meeting.held now says so in `quorum_applies`.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE meeting_facts ADD COLUMN quorum_applies boolean NOT NULL DEFAULT true",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.drop_column("meeting_facts", "quorum_applies")
