"""The Merkle-tree ledger log, checkpoints and a feed position assigned after commit.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # Every event of a complaint is a link of its chain; checkpoints sit in the feed too, so a
    # feed row need not name a complaint.
    "ALTER TABLE complaint_events ALTER COLUMN complaint_id DROP NOT NULL",
    "ALTER TABLE complaint_events ALTER COLUMN governorate_code DROP NOT NULL",
    "ALTER TABLE complaint_events ADD COLUMN chain_sequence integer",
    "ALTER TABLE complaint_events ADD COLUMN chain_hash varchar(64)",
    # The feed position and the Merkle leaf index, given after commit by the one sequencer.
    "ALTER TABLE complaint_events ADD COLUMN position bigint",
    "ALTER TABLE complaint_events ADD COLUMN leaf_index bigint",
    "CREATE UNIQUE INDEX complaint_events_link ON complaint_events (complaint_id, chain_sequence)",
    "CREATE UNIQUE INDEX complaint_events_position ON complaint_events (position)",
    "CREATE UNIQUE INDEX complaint_events_leaf ON complaint_events (leaf_index)",
    "CREATE INDEX complaint_events_unsequenced ON complaint_events (id) WHERE position IS NULL",
    # The complete subtrees of the Merkle log: (level, index) covers leaves
    # [index * 2^level, (index + 1) * 2^level); they never change once written.
    """
    CREATE TABLE ledger_nodes (
        level smallint NOT NULL,
        index bigint NOT NULL,
        hash bytea NOT NULL,
        PRIMARY KEY (level, index)
    )
    """,
    "ALTER TABLE ledger_checkpoints ADD COLUMN tree_size bigint",
    "ALTER TABLE ledger_checkpoints ADD COLUMN root_hash varchar(64)",
    "CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints (tree_size)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
