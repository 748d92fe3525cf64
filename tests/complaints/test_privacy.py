"""No personal data reaches Kafka, the logs or the case tables: distinctive names, phones,
e-mails, addresses, narratives and officers' service numbers are filed, the cases are worked
(notifications sent, personal data read), then every topic, every log record and every
plaintext column is searched for them."""

from __future__ import annotations

import logging

from libs.chassis.logs import JsonFormatter
from libs.chassis.settings import SERVICES
from libs.contracts.topics import TOPICS, dead_letter_topic
from tests.complaints.support import complaints_service, move, staff, status_topic
from tests.support.platform import eventually, make_platform

PEOPLE = [
    {
        "name": "Qismatullah Zarqawneh-Ybarra",
        "phone": "+962 79 314 1592",
        "email": "qismat.ybarra@example.org",
        "address": "17 Wadi Saqra Lane, Jabal Unicorn",
        "narrative": "The sergeant confiscated my violet accordion and said purplesnake thrice.",
        "service_number": "PSD-ZX9817",
        "ngo_contact": "Marguerite Oyelaran-Haddad",
        "ngo_phone": "+962 77 271 8281",
    },
    {
        "name": "Faizabella Quintanilla-Odeh",
        "phone": "0796 662 607",
        "email": "faizabella.q@example.net",
        "address": "3 Tlaa al-Ali Close, Flat 44B",
        "narrative": "At the roundabout an officer demanded forty dinars, muttering marmalade.",
        "service_number": "PSD-QQ4242",
        "ngo_contact": "Theodora Abu-Ghazaleh",
        "ngo_phone": "+962 78 161 8033",
    },
]


def _complaint(person: dict, with_ngo: bool) -> dict:
    body = {
        "narrative": person["narrative"],
        "station_id": "IR-01-S1",
        "allegations": [
            {
                "category": "corruption_or_bribery",
                "against": "officer",
                "officer_service_number": person["service_number"],
            }
        ],
        "complainant": {
            "name": person["name"],
            "phone": person["phone"],
            "email": person["email"],
            "address": person["address"],
        },
    }
    if with_ngo:
        body["on_behalf"] = {
            "organisation": "Adalah Legal Aid",
            "contact_name": person["ngo_contact"],
            "contact_phone": person["ngo_phone"],
        }
    return body


def _needles(person: dict) -> list[str]:
    needles = []
    for key, value in person.items():
        needles.append(value)
        if key in ("phone", "ngo_phone"):
            needles.append("".join(ch for ch in value if ch.isdigit())[-7:])
    needles += ["purplesnake", "marmalade", "accordion", "Zarqawneh", "Quintanilla"]
    return needles


async def test_no_personal_data_in_kafka_logs_or_plain_tables(infra, caplog):
    platform = await make_platform(infra, log_level="DEBUG")
    await platform.migrate("complaints")
    caplog.set_level(logging.DEBUG)
    officer = staff(platform, "complaints_officer")
    admin = staff(platform, "admin")
    references = []
    async with complaints_service(platform) as client:
        for i, person in enumerate(PEOPLE):
            for with_ngo in (False, True):
                response = await client.post(
                    "/v1/complaints",
                    json=_complaint(person, with_ngo),
                    headers=officer if i else {},
                )
                assert response.status_code == 201, response.text
                filed = response.json()
                references.append(filed["reference"])
                cid = filed["complaint_id"]
                await move(client, cid, officer, "logged")
                await move(client, cid, officer, "triage")
                await move(client, cid, officer, "referred", reason="other_authority")
                read = await client.get(
                    f"/v1/complaints/{cid}/personal-data",
                    params={"purpose": "contact the complainant about the referral"},
                    headers=officer,
                )
                assert read.json()["narrative"] == person["narrative"]
                status = await client.get(
                    f"/v1/complaints/{filed['reference']}/status",
                    headers={"X-Complaint-PIN": filed["pin"]},
                )
                assert status.status_code == 200
        await client.post("/v1/ledger/checkpoints", headers=admin)
        # the notifications (logged, referred: 2 per complaint) have gone out
        await eventually(
            lambda: platform.scalar(
                "complaints", "SELECT count(*) = 8 FROM notifications WHERE state = 'sent'"
            ),
            timeout=10,
        )
        published = await platform.scalar("complaints", "SELECT count(*) FROM outbox")

    needles = [n for person in PEOPLE for n in _needles(person)] + references
    records = await status_topic(platform, published)
    assert len(records) == published
    others = [t.name for t in TOPICS[1:]] + [dead_letter_topic(s) for s in SERVICES]
    raw = [
        r.value
        for t in [TOPICS[0].name, *others]
        for r in await platform.topic_records(t, 10**6, 2)
    ]
    assert len(raw) >= published
    leaks = [n for n in needles for value in raw if n.encode() in value]
    assert leaks == [], f"personal data on Kafka: {leaks}"

    formatter = JsonFormatter("complaints")
    log_text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "notification sent" in log_text  # the logs did capture the service's activity
    people_needles = [n for person in PEOPLE for n in _needles(person)]
    leaks = [n for n in people_needles if n in log_text]
    assert leaks == [], f"personal data in logs: {leaks}"

    tables = await platform.sql(
        "complaints",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'complaints'",
    )
    for row in tables:
        dump = "\n".join(
            str(r[0]) for r in await platform.sql("complaints", f'SELECT t::text FROM "{row[0]}" t')
        )
        leaks = [n for n in people_needles if n in dump]
        assert leaks == [], f"plaintext personal data in table {row[0]}: {leaks}"
