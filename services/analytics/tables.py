"""Analytics read models (its own schema). Rebuilt from events; never written by HTTP.

Every row is a pure function of the events that made it (no `now()` defaults), so
`jisr analytics rebuild` reproduces the tables exactly from a replay of the topics.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
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
    # The sections and divisions of its domestic offences (moves with a reclassification), and
    # its victims' number and their distinct sexes and age bands, as the event counts them
    # (migration 0005; victims never change after recording).
    Column("domestic_categories", ARRAY(String(8)), nullable=False, server_default="{}"),
    Column("victim_count", Integer, nullable=False, server_default="0"),
    Column("victim_sexes", ARRAY(String(8)), nullable=False, server_default="{}"),
    Column("victim_age_bands", ARRAY(String(8)), nullable=False, server_default="{}"),
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

# --- programme work (jisr.fora.activity.v1; programme/) ---------------------------------------
# Outreach and trainings, membership counts, safety-plan indicator values, SARA cases. A
# restated figure (an activity recorded again, an indicator's value for a period recomputed, a
# case's stage, its assessment) keeps the latest by event time, then event id; membership keeps
# every count, and a view reads the latest one of each forum as of the end of its period.

forum_origins = Table(
    "forum_origins",
    metadata,
    Column("forum_id", Uuid, primary_key=True),
    Column("origin", String(40)),  # a forum_origins code; None when not recorded
    Column("origin_programme", String(40)),
)

programme_activities = Table(
    "programme_activities",
    metadata,
    Column("activity_id", Uuid, primary_key=True),
    Column("forum_id", Uuid),  # None: an area's own activity, run by no forum
    Column("area_id", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("district_code", String(16)),
    Column("governorate_code", String(8)),
    Column("kind", String(40), nullable=False),
    Column("audience", String(40), nullable=False),
    Column("held_on", Date, nullable=False, index=True),
    Column("participants", Integer, nullable=False),
    Column("women", Integer, nullable=False),
    Column("men", Integer, nullable=False),
    Column("gender_unknown", Integer, nullable=False),
    Column("direct_beneficiaries", Integer, nullable=False),
    Column("indirect_beneficiaries", Integer, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False),
)

membership_counts = Table(
    "membership_counts",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, nullable=False, index=True),
    Column("members", Integer, nullable=False),
    Column("counted_at", DateTime(timezone=True), nullable=False),
)

membership_cells = Table(
    "membership_cells",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("group_code", String(40), primary_key=True),
    Column("gender", String(8), primary_key=True),
    Column("members", Integer, nullable=False),
)

plan_indicator_values = Table(
    "plan_indicator_values",
    metadata,
    Column("indicator_id", Uuid, primary_key=True),
    Column("period", String(8), primary_key=True),  # YYYY-Qn or YYYY-MM
    Column("period_start", Date, nullable=False),
    Column("plan_id", Uuid, nullable=False, index=True),
    Column("forum_id", Uuid),
    Column("area_id", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("district_code", String(16)),
    Column("governorate_code", String(8)),
    Column("source", String(24), nullable=False),
    Column("origin", String(8), nullable=False),
    Column("iccs_code", String(8)),
    Column("item", String(40)),
    Column("value", Float),
    Column("rating", String(16)),
    Column("baseline", Float),
    Column("target", Float),
    Column("status", String(16), nullable=False),
    Column("as_of", Date),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False),
)

sara_cases = Table(
    "sara_cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("forum_id", Uuid, nullable=False),
    Column("area_level", String(16), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("station_id", String(32)),
    Column("district_code", String(16)),
    Column("governorate_code", String(8)),
    Column("iccs_code", String(8)),  # the problem type; None: not a crime category
    Column("comparison_area_id", String(32), nullable=False),
    Column("linked_incidents", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False, index=True),
)

# A case's stage kept apart from the case, so a stage change read before the case (another
# partition, a replay) still wins by its own time.
sara_stages = Table(
    "sara_stages",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False),
)

sara_assessments = Table(
    "sara_assessments",
    metadata,
    Column("case_id", Uuid, primary_key=True),  # the latest assessment of a case
    Column("forum_id", Uuid, nullable=False),
    Column("interventions_planned", Integer, nullable=False),
    Column("interventions_as_planned", Integer, nullable=False),
    Column("before_from", Date, nullable=False),
    Column("before_to", Date, nullable=False),
    Column("after_from", Date, nullable=False),
    Column("after_to", Date, nullable=False),
    Column("treated_before", Integer, nullable=False),
    Column("treated_after", Integer, nullable=False),
    Column("comparison_before", Integer, nullable=False),
    Column("comparison_after", Integer, nullable=False),
    Column("wdd", Float, nullable=False),
    Column("wdd_p", Float),
    Column("etest_p", Float),
    Column("impact", String(24), nullable=False),
    Column("displacement", String(24), nullable=False),
    Column("assessed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("event_id", Uuid, nullable=False),
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

# --- freshness (every consumed topic) ----------------------------------------------------------

# Per topic, the latest event time applied and how many distinct events were: "figures as of"
# on every page, and what the broker's history is compared with (application/freshness.py).
applied_event_times = Table(
    "applied_event_times",
    metadata,
    Column("topic", String(100), primary_key=True),
    Column("latest_event_at", DateTime(timezone=True), nullable=False),
    Column("applied", BigInteger, nullable=False),
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
    forum_origins,
    programme_activities,
    membership_counts,
    membership_cells,
    plan_indicator_values,
    sara_cases,
    sara_stages,
    sara_assessments,
    applied_event_times,
)
