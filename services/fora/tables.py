"""Persistence of the fora service (its own schema; see libs.chassis.db).

Members' names and contact details are not here: they live encrypted in the personal-data
vault (libs.chassis.personal_data), keyed by member_id, so they can be erased without touching
the forum's history.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from libs.chassis.personal_data import personal_data_tables

metadata = MetaData()
subject_keys, personal_data, personal_data_reads = personal_data_tables(metadata)

fora = Table(
    "fora",
    metadata,
    Column("forum_id", Uuid, primary_key=True),
    Column("forum_type", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("area_id", String(32), nullable=False, index=True),
    Column("station_id", String(32)),
    Column("parent_forum_id", Uuid, ForeignKey("fora.forum_id")),
    Column("name_en", String(200), nullable=False),
    Column("name_ar", String(200), nullable=False),
    Column("quorum", JSONB, nullable=False),
    Column("women_target", Float, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("origin", String(32)),  # a forum_origins code: who established it
    Column("origin_programme", String(32)),  # the programme or NGO, as a code (e.g. iom)
)

members = Table(
    "members",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("represents", String(32), nullable=False),
    Column("gender", String(8)),
    Column("age_band", String(16)),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date),
)

meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # a meeting_kinds code
    Column("scheduled_for", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("held_on", Date),
    Column("quorum_met", Boolean),
    Column("members_present", Integer),
    Column("walk_ins", Integer),
    Column("women", Integer),
    Column("men", Integer),
    Column("total", Integer),
    Column("groups", JSONB),
    Column("age_bands", JSONB),
    Column("walk_in_counts", JSONB),
    Column("minutes_language", String(2)),
    # The minutes themselves are sealed in the vault (they name people): only when, here.
    Column("minutes_recorded_at", DateTime(timezone=True)),
)

meeting_attendance = Table(
    "meeting_attendance",
    metadata,
    Column("meeting_id", Uuid, ForeignKey("meetings.meeting_id"), primary_key=True),
    Column("member_id", Uuid, ForeignKey("members.member_id"), primary_key=True),
)

concerns = Table(
    "concerns",
    metadata,
    Column("concern_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("meeting_id", Uuid, ForeignKey("meetings.meeting_id")),
    Column("raised_by_member", Uuid, ForeignKey("members.member_id")),
    Column("raised_by_group", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("summary_en", String(500)),
    Column("summary_ar", String(500)),
    Column("raised_on", Date, nullable=False),
)

agenda_items = Table(
    "agenda_items",
    metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("meeting_id", Uuid, ForeignKey("meetings.meeting_id"), index=True),
    Column("source", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("concern_id", Uuid, ForeignKey("concerns.concern_id")),
    Column("alert_id", Uuid),
    Column("details", JSONB),
    Column("title_en", String(300), nullable=False),
    Column("title_ar", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("forum_id", "alert_id", name="agenda_items_forum_alert"),
)

# The alerts behind one agenda item: one rise of one category in one area is one item, whatever
# the methods and category levels that flagged it (the episode ends when they have all cleared).
agenda_item_alerts = Table(
    "agenda_item_alerts",
    metadata,
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), primary_key=True),
    Column("alert_id", Uuid, primary_key=True),
    Column("item_id", Uuid, ForeignKey("agenda_items.item_id"), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("iccs_section", String(2), nullable=False),
    Column("iccs_code", String(8), nullable=False),
    Column("method", String(32), nullable=False),
    Column("week_start", Date, nullable=False),
    Column("cleared", Boolean, nullable=False, server_default="false"),
)

priorities = Table(
    "priorities",
    metadata,
    Column("priority_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("concern_id", Uuid, ForeignKey("concerns.concern_id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("method", String(16), nullable=False),
    UniqueConstraint("forum_id", "period_start", "concern_id", name="priorities_period_concern"),
)

actions = Table(
    "actions",
    metadata,
    Column("action_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("concern_id", Uuid, ForeignKey("concerns.concern_id")),
    Column("priority_id", Uuid, ForeignKey("priorities.priority_id")),
    Column("title_en", String(300), nullable=False),
    Column("title_ar", String(300), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("closed_on", Date),
    Column("overdue_notified_for", Date),
    Column("created_on", Date, nullable=False),
)

action_notes = Table(
    "action_notes",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("action_id", Uuid, ForeignKey("actions.action_id"), nullable=False, index=True),
    Column("noted_on", Date, nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("note", String(2000)),
)

# The actions a meeting reviewed (a follow-up meeting above all), with their status then.
meeting_reviews = Table(
    "meeting_reviews",
    metadata,
    Column("meeting_id", Uuid, ForeignKey("meetings.meeting_id"), primary_key=True),
    Column("action_id", Uuid, ForeignKey("actions.action_id"), primary_key=True),
    Column("status", String(16), nullable=False),
)

sara_cases = Table(
    "sara_cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), nullable=False, index=True),
    Column("stage", String(16), nullable=False),
    Column("problem_statement", String(2000), nullable=False),
    Column("area_level", String(16), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("iccs_code", String(8)),
    Column("comparison_area_id", String(32), nullable=False),
    Column("displacement_area_id", String(32)),
    Column("linked_concern_ids", ARRAY(Uuid), nullable=False),
    Column("linked_incident_ids", ARRAY(Uuid), nullable=False),
    Column("alert_id", Uuid),
    Column("baseline", JSONB, nullable=False),
    Column("analysis", JSONB),
    Column("response", JSONB),
    Column("assessment", JSONB),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)

survey_waves = Table(
    "survey_waves",
    metadata,
    Column("wave_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), index=True),
    Column("area_id", String(32), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("title_ar", String(200), nullable=False),
    Column("items", ARRAY(String(64)), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("published_at", DateTime(timezone=True)),  # the latest survey.results_published
    Column("instrument_code", String(32), nullable=False, server_default="standard"),
    Column("instrument_version", Integer, nullable=False, server_default="1"),
)

# Programme instruments by version (the standard one is in domain/surveys.py).
survey_instruments = Table(
    "survey_instruments",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title_en", String(200), nullable=False),
    Column("title_ar", String(200), nullable=False),
    Column("record", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Anonymous: no respondent, no timestamp, nothing but what results are counted by.
survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("wave_id", Uuid, ForeignKey("survey_waves.wave_id"), nullable=False, index=True),
    Column("area_id", String(32), nullable=False),
    Column("gender", String(8)),
    Column("age_band", String(16)),
    Column("answers", JSONB, nullable=False),
    Column("groups", JSONB, nullable=False, server_default="{}"),
)

plans = Table(
    "plans",
    metadata,
    Column("plan_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id")),
    Column("area_id", String(32), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("title_ar", String(300), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("goals", JSONB, nullable=False),
    Column("adopted_on", Date, nullable=False),
)

plan_progress = Table(
    "plan_progress",
    metadata,
    Column("plan_id", Uuid, ForeignKey("plans.plan_id"), primary_key=True),
    Column("indicator_id", Uuid, primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("recorded_on", Date, nullable=False),
    Column("value", Float),
    Column("rating", String(16)),
    Column("note", String(1000)),
    Column("origin", String(16), nullable=False, server_default="manual"),  # or computed
    Column("as_of", Date),
)

activities = Table(
    "activities",
    metadata,
    Column("activity_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, ForeignKey("fora.forum_id")),
    Column("area_id", String(32), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("audience", String(32), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("title_ar", String(300), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("participants", JSON, nullable=False),
    Column("direct_beneficiaries", Integer, nullable=False),
    Column("indirect_beneficiaries", Integer, nullable=False),
    Column("before_wave_id", Uuid, ForeignKey("survey_waves.wave_id")),
    Column("after_wave_id", Uuid, ForeignKey("survey_waves.wave_id")),
)

health_snapshots = Table(
    "health_snapshots",
    metadata,
    Column("forum_id", Uuid, ForeignKey("fora.forum_id"), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("figures", JSONB, nullable=False),
)
