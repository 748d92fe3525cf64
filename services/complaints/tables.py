"""Persistence of the complaints service (its own schema; see libs.chassis.db).

Personal data (complainant identity, contact, narrative, officers' service numbers) is not in
these tables: it lives encrypted in the vault tables (libs.chassis.personal_data), keyed by the
complaint id, so erasing it leaves the case, its allegations and its ledger intact.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)

from libs.chassis.personal_data import personal_data_tables

metadata = MetaData()
subject_keys, personal_data, personal_data_reads = personal_data_tables(metadata)

complaints = Table(
    "complaints",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("reference", String(24), nullable=False, unique=True),
    Column("pin_hash", String(200), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("intake_station_id", String(32)),  # the counter it was filed at, if any
    Column("station_id", String(32), index=True),  # the station complained about, if known
    Column("governorate_code", String(8), nullable=False, index=True),
    Column("anonymous", Boolean, nullable=False),
    Column("has_contact", Boolean, nullable=False),
    Column("language", String(2), nullable=False),
    Column("age_band", String(16)),
    Column("status", String(32), nullable=False),
    Column("status_since", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("investigator_id", String(200), index=True),
    Column("investigator_unit", String(32)),
    Column("ledger_sequence", Integer, nullable=False, server_default="0"),
    Column("ledger_head", String(64), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("erased_at", DateTime(timezone=True)),
    # A complaint brought in from before jisr: the old system's reference (re-importing the
    # same row is a no-op) and when it was brought in.
    Column("source_reference", String(64), unique=True),
    Column("imported_at", DateTime(timezone=True)),
    Column("outcome_by", String(200)),  # who decided the outcome (its review is independent)
    Column("outcome_actor", String(32)),  # and as what
)

allegations = Table(
    "allegations",
    metadata,
    Column("allegation_id", Uuid, primary_key=True),
    Column("complaint_id", Uuid, ForeignKey("complaints.complaint_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("category", String(40), nullable=False),
    Column("subject_kind", String(8), nullable=False),
    Column("station_id", String(32)),
    Column("unit_code", String(32)),
    Column("officer_pseudonym", String(64)),
    Column("finding", String(32)),
    Column("finding_at", DateTime(timezone=True)),
)

# Every event published about a complaint, as published: the oversight feed (cursor = id) and,
# for status changes (sequence not null), the hash-chained ledger.
complaint_events = Table(
    "complaint_events",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("complaint_id", Uuid, index=True),  # None: a checkpoint in the feed
    Column("governorate_code", String(8)),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", String(80), nullable=False),
    Column("sequence", Integer),
    Column("data", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The event's link in its complaint's chain (data.chain), for finding the head.
    Column("chain_sequence", Integer),
    Column("chain_hash", String(64)),
    # Given after commit by the sequencer (services.complaints.application.ledger): the feed
    # cursor and the event's leaf in the Merkle log, both dense and in commit order.
    Column("position", BigInteger, unique=True),
    Column("leaf_index", BigInteger, unique=True),
    UniqueConstraint("complaint_id", "sequence", name="complaint_events_chain"),
)

# One row per deadline event ever emitted: the primary key is what makes it exactly once.
clock_events = Table(
    "clock_events",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("clock", String(32), primary_key=True),
    Column("instance", String(80), primary_key=True),
    Column("kind", String(12), primary_key=True),  # approaching | breached
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

oversight_bodies = Table(
    "oversight_bodies",
    metadata,
    Column("body_id", String(32), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("national", Boolean, nullable=False),
    Column("governorates", ARRAY(String(8)), nullable=False),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("recommendation_id", Uuid, primary_key=True),
    Column("complaint_id", Uuid, ForeignKey("complaints.complaint_id"), nullable=False),
    Column("oversight_body", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("respond_by", DateTime(timezone=True), nullable=False),
    Column("answer", String(8)),
    Column("answer_reason", String(32)),
    Column("answer_text", Text),
    Column("answered_by", String(200)),
    Column("answered_at", DateTime(timezone=True)),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("complaint_id", Uuid, nullable=False, index=True),
    Column("about", String(32), nullable=False),  # the status it tells of
    Column("language", String(2), nullable=False),
    Column("state", String(8), nullable=False, server_default="pending"),
    Column("channel", String(16)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("details", Text),  # JSON of codes: findings per category, outcome, reasons
)

# Where staff are posted (the conflict-of-interest check reads it; admins keep it).
staff_directory = Table(
    "staff_directory",
    metadata,
    Column("staff_id", String(200), primary_key=True),  # the token subject
    Column("unit_code", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("governorate_code", String(8)),
    Column("officer_pseudonym", String(64)),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("body", Text, nullable=False),
    Column("signature", String(200), nullable=False),
    Column("tree_size", BigInteger),
    Column("root_hash", String(64)),
)

# The Merkle log's complete subtrees (domain.merkle): (level, index) -> hash.
ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True),
    Column("index", BigInteger, primary_key=True),
    Column("hash", LargeBinary, nullable=False),
)
