"""Analytics read models (its own schema). Rebuilt from events; never written by HTTP.

Every row is a pure function of the events that made it (no `now()` defaults), so
`jisr analytics rebuild` reproduces the tables exactly from a replay of the topics.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
)

metadata = MetaData()

# --- crime (jisr.incidents.recorded.v1, jisr.incidents.baselines.v1) ------------------------

incident_facts = Table(
    "incident_facts",
    metadata,
    Column("incident_id", Uuid, primary_key=True),
    Column("station_id", String(32), nullable=False, index=True),
    Column("district_code", String(16), nullable=False),
    Column("governorate_code", String(8), nullable=False),
    Column("iccs_code", String(8), nullable=False),  # the principal (first) offence
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # Every ICCS section and division any offence falls in: an incident counts once in each,
    # as the incidents service counts its baselines.
    Column("categories", ARRAY(String(8)), nullable=False),
    Column("status", String(8), nullable=False),  # active | voided | merged
)

baseline_alerts = Table(
    "baseline_alerts",
    metadata,
    Column("alert_id", Uuid, primary_key=True),
    Column("area_level", String(16), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("iccs_code", String(8), nullable=False),
    Column("method", String(32), nullable=False),
    Column("week_start", Date, nullable=False),
    Column("observed", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("upper_limit", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(8), nullable=False),  # raised | cleared
    Column("raised_at", DateTime(timezone=True)),
    Column("cleared_at", DateTime(timezone=True)),
)

# --- accountability (jisr.complaints.status.v1) ----------------------------------------------

complaint_facts = Table(
    "complaint_facts",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("station_id", String(32)),  # the station complained about, when known
    Column("governorate_code", String(8), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status", String(32), nullable=False),
    Column("first_closed_at", DateTime(timezone=True)),  # "days to close" counts to here
    Column("anonymous", Boolean, nullable=False),
)

complaint_categories = Table(
    "complaint_categories",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("category", String(40), nullable=False),
)

complaint_findings = Table(
    "complaint_findings",
    metadata,
    Column("allegation_id", Uuid, primary_key=True),  # the latest finding per allegation
    Column("complaint_id", Uuid, nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("finding", String(32), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

complaint_breaches = Table(
    "complaint_breaches",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("clock", String(32), primary_key=True),
    Column("due_at", DateTime(timezone=True), primary_key=True),
    Column("breached_at", DateTime(timezone=True), nullable=False),
)

complaint_reviews = Table(
    "complaint_reviews",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("outcome", String(16), nullable=False),  # upheld | not_upheld
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("recommendation_id", Uuid, primary_key=True),
    Column("complaint_id", Uuid, nullable=False, index=True),
    Column("oversight_body", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("respond_by", DateTime(timezone=True), nullable=False),
    Column("answer", String(16)),  # None while open; accepted | declined
    Column("answered_at", DateTime(timezone=True)),
)

# --- community engagement (jisr.fora.activity.v1) --------------------------------------------

forum_facts = Table(
    "forum_facts",
    metadata,
    Column("forum_id", Uuid, primary_key=True),
    Column("forum_type", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("district_code", String(16)),  # None above district level
    Column("governorate_code", String(8)),  # None for national fora
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

meeting_facts = Table(
    "meeting_facts",
    metadata,
    Column("meeting_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, nullable=False, index=True),
    Column("held_on", Date, nullable=False),
    Column("women", Integer, nullable=False),
    Column("men", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("quorum_met", Boolean, nullable=False),
    # False for a meeting kind that needs no quorum: left out of quorum rates
    Column("quorum_applies", Boolean, nullable=False, server_default="true"),
    Column("women_only", Boolean, nullable=False),
)

meeting_groups = Table(
    "meeting_groups",
    metadata,
    Column("meeting_id", Uuid, primary_key=True),
    Column("group_code", String(32), primary_key=True),
    Column("attendees", Integer, nullable=False),
)

action_facts = Table(
    "action_facts",
    metadata,
    Column("action_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("due_on", Date),
    Column("done_on", Date),  # the day it last moved to done
)

concern_facts = Table(
    "concern_facts",
    metadata,
    Column("concern_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, nullable=False, index=True),
    Column("category", String(32), nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
)

# --- perception surveys (survey.results_published on jisr.fora.activity.v1) -------------------
# The latest publication of each wave (by published_at, then event id): an older one arriving
# late, or the same one again, changes nothing. Area columns as in forum_facts, for filtering.

survey_waves = Table(
    "survey_waves",
    metadata,
    Column("wave_id", Uuid, primary_key=True),
    Column("forum_id", Uuid),
    Column("area_id", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("district_code", String(16)),
    Column("governorate_code", String(8)),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False, index=True),
    Column("min_cell_size", Integer, nullable=False),
    Column("responses", Integer, nullable=False),  # the wave's total: kept, never shown
    # The items the publication's cells carry (what the wave asked, as far as it shows).
    Column("items", ARRAY(String(40)), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("publication_id", Uuid, nullable=False),  # the event's id: breaks a published_at tie
)

survey_cells = Table(
    "survey_cells",
    metadata,
    Column("wave_id", Uuid, primary_key=True),
    Column("breakdown", String(16), primary_key=True),  # "" (whole wave), area, gender, area,gender
    Column("cell", Integer, primary_key=True),  # its position in the published table
    Column("area_id", String(32)),
    Column("station_id", String(32)),
    Column("district_code", String(16)),
    Column("governorate_code", String(8)),
    Column("gender", String(8)),
    Column("suppressed", Boolean, nullable=False),  # a suppressed cell has no counts at all
    Column("responses", Integer),
)

survey_cell_items = Table(
    "survey_cell_items",
    metadata,
    Column("wave_id", Uuid, primary_key=True),
    Column("breakdown", String(16), primary_key=True),
    Column("cell", Integer, primary_key=True),
    Column("item", String(40), primary_key=True),
    Column("answered", Integer, nullable=False),
    Column("positive", Integer),  # None: fewer than the minimum cell size answered
)

# The jurisdiction each oversight body was registered with (oversight_body.registered and
# .changed): the accountability view of an oversight token is cut to it, never to a claim.
oversight_jurisdictions = Table(
    "oversight_jurisdictions",
    metadata,
    Column("body_id", String(32), primary_key=True),
    Column("national", Boolean, nullable=False),
    Column("governorates", ARRAY(String(8)), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Every table `jisr analytics rebuild` empties and refills, parents before children.
READ_MODELS = (
    incident_facts,
    baseline_alerts,
    complaint_facts,
    complaint_categories,
    complaint_findings,
    complaint_breaches,
    complaint_reviews,
    recommendations,
    oversight_jurisdictions,
    forum_facts,
    meeting_facts,
    meeting_groups,
    action_facts,
    concern_facts,
    survey_waves,
    survey_cells,
    survey_cell_items,
)
