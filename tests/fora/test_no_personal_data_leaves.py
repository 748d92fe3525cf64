"""No member name, contact, minutes or survey answer reaches Kafka or the logs (both are
scanned), and none is stored in clear (every fora table is scanned too)."""

from __future__ import annotations

import json
import logging

from libs.contracts.topics import dead_letter_topic
from tests.fora.helpers import MEMBER_NAMES, Api, fora_events, running_fora

PHONE = "+962799999123"
NAMES = [*MEMBER_NAMES.values(), "Canary Farah Nimer"]
ANSWERS = ["very_unsafe", "none_at_all", "dont_know"]  # the answers given, as coded
MINUTES = "Canary minutes: the chair thanked Farah Nimer for hosting"


def _record_text(record: logging.LogRecord) -> str:
    """Everything a log line could carry: message, arguments and every `extra` field."""
    return record.getMessage() + json.dumps(vars(record), default=str, ensure_ascii=False)


async def test_names_and_answers_stay_out_of_kafka_and_logs(platform, caplog):
    caplog.set_level(logging.INFO)
    async with running_fora(platform) as client:
        api = Api(platform, client)
        forum = await api.forum()
        present = [
            await api.member(forum, role, "youth", "female", phone=PHONE) for role in MEMBER_NAMES
        ]
        farah = await api.member(forum, "community_representative", "refugees_idps", "female",
                                 name="Canary Farah Nimer")  # fmt: skip
        meeting = await api.meeting(forum, "2026-09-01")
        await api.hold(meeting, "2026-09-01", [*present, farah], [{"count": 2, "gender": "male"}])
        await api.put(f"/v1/meetings/{meeting}/minutes", {"language": "en", "text": MINUTES})
        body = {
            "category": "harassment", "raised_by_group": "youth", "meeting_id": meeting,
            "raised_by_member_id": farah, "summary_en": "Harassment at the bus stop",
        }  # fmt: skip
        concern = (await api.post(f"/v1/fora/{forum}/concerns", body))["concern_id"]
        await api.post(f"/v1/fora/{forum}/actions", {
            "concern_id": concern, "title_en": "Escort scheme", "title_ar": "مرافقة",
            "owner": "ngo", "due_on": "2026-10-01", "created_on": "2026-09-01"})  # fmt: skip
        wave = (await api.post("/v1/surveys", {
            "area_id": "AM-01", "forum_id": forum, "title_en": "W", "title_ar": "W",
            "opens_on": "2026-09-01", "closes_on": "2026-09-30"}))["wave_id"]  # fmt: skip
        answers = {"feel_safe_after_dark": "very_unsafe", "trust_police": "none_at_all",
                   "heard_of_council": "no", "advise_report_theft": "dont_know"}  # fmt: skip
        response = {"area_id": "AM-01-S1", "gender": "female", "answers": answers}
        for _ in range(6):
            await api.post(f"/v1/surveys/{wave}/responses", response)
        published = await api.post(f"/v1/surveys/{wave}/publish", expect=200)
        assert published["responses"] == 6  # the results went out, as counts
        read = await api.get(f"/v1/fora/{forum}/members/{farah}/personal-data", purpose="call")
        assert read["name"] == "Canary Farah Nimer"  # it is there, and only behind the vault
        minutes = await api.get(f"/v1/meetings/{meeting}/minutes", purpose="follow-up")
        assert (minutes["text"], minutes["language"]) == (MINUTES, "en")
        events = await fora_events(platform)
        dead = await platform.topic_records(dead_letter_topic("fora"), 1, timeout=1)

    assert len(events) >= 1 + 5 + 1 + 1 + 1  # registered, members, held, concern, action
    published = [
        bytes(r.value) + b"".join(bytes(v) for _, v in r.headers)
        for r in [e["raw"] for e in events] + dead
    ]
    kafka = b"\n".join(published).decode()
    logs = "\n".join(_record_text(r) for r in caplog.records)
    assert "service started" in logs and "jisr.member.joined.v1" in kafka  # real lines scanned
    assert "jisr.survey.results_published.v1" in kafka
    for secret in [*NAMES, PHONE, MINUTES, "Farah", "Harassment at the bus stop"]:
        assert secret not in kafka, f"{secret!r} reached Kafka"
        assert secret not in logs, f"{secret!r} reached the logs"
    for answer in ANSWERS:
        assert answer not in kafka, f"survey answer {answer!r} reached Kafka"
        assert answer not in logs, f"survey answer {answer!r} reached the logs"

    stored = await _every_table(platform)
    assert "Escort scheme" in stored  # the scan reads real rows
    for secret in [*NAMES, PHONE, MINUTES, "Farah", "thanked"]:
        assert secret not in stored, f"{secret!r} is stored in clear"
    reads = await platform.sql("fora", "SELECT purpose, fields FROM personal_data_reads")
    assert {(r["purpose"], tuple(r["fields"])) for r in reads} >= {("follow-up", ("minutes",))}


async def _every_table(platform) -> str:
    """Every row of every fora table, as text."""
    tables = await platform.sql(
        "fora",
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'fora' AND table_type = 'BASE TABLE'",
    )
    rows = []
    for t in tables:
        name = t["table_name"]
        rows += await platform.sql("fora", f'SELECT to_jsonb(t)::text AS row FROM "{name}" t')
    return "\n".join(r["row"] for r in rows)
