"""Every path of the complaint state machine over HTTP, with the right role tokens; the events
on jisr.complaints.status.v1 tell the same story, in order."""

from __future__ import annotations

from collections import defaultdict

from services.complaints.domain.lifecycle import TRANSITIONS
from tests.complaints.support import (
    COMPLAINT,
    complaints_service,
    file,
    move,
    staff,
    status_topic,
)
from tests.support.platform import eventually

INVESTIGATOR = "inv-7"


async def test_every_path_of_the_lifecycle(platform):
    await platform.migrate("complaints")
    officer = staff(platform, "complaints_officer")
    investigator = staff(platform, "investigator", subject=INVESTIGATOR)
    oversight = staff(platform, "oversight", oversight_body="ombudsman")
    admin = staff(platform, "admin")
    paths: dict[str, list[str]] = {}

    async with complaints_service(platform) as client:
        body = {"title": "National Ombudsman", "national": True, "body_id": "ombudsman"}
        assert (
            await client.put("/v1/oversight/bodies/ombudsman", json=body, headers=admin)
        ).status_code == 200

        async def walk(complaint, steps):
            cid = complaint["complaint_id"]
            path = paths.setdefault(cid, ["received"])
            for to, who, extra in steps:
                if who == "complainant":
                    action = "review-request" if to == "review_requested" else "review-waiver"
                    response = await client.post(
                        f"/v1/complaints/{complaint['reference']}/{action}",
                        headers={"X-Complaint-PIN": complaint["pin"]},
                    )
                    assert response.status_code == 200, response.text
                else:
                    await move(client, cid, who, to, **extra)
                path.append(to)
                if to == "complainant_notified":  # the review window opens by itself
                    path.append("review_window")

        async def findings(cid, finding):
            case = (await client.get(f"/v1/complaints/{cid}", headers=investigator)).json()
            return {
                "findings": [
                    {"allegation_id": a["allegation_id"], "finding": finding}
                    for a in case["allegations"]
                ]
            }

        # Postings come from the staff directory, never from what the assigner types.
        for who, unit in ((INVESTIGATOR, "PSD-HQ"), ("inv-9", "AM-01")):
            put = await client.put(f"/v1/staff/{who}", json={"unit_code": unit}, headers=admin)
            assert put.status_code == 200, put.text
        assign = {"investigator": {"investigator_id": INVESTIGATOR}}

        # A: formal investigation, suspension, review upheld → reinvestigated, closed, reopened.
        a = await file(client)
        aid = a["complaint_id"]
        await walk(a, [("logged", officer, {}), ("triage", officer, {})])
        await walk(a, [("formal_investigation", officer, {})])
        typed = {"investigator": {"investigator_id": "inv-9", "unit_code": "PSD-HQ"}}
        refused = await move(client, aid, officer, "assigned", expect=422, **typed)
        assert "staff directory" in refused["detail"][0]["msg"]
        conflicted = {"investigator": {"investigator_id": "inv-9"}}
        refused = await move(client, aid, officer, "assigned", expect=409, **conflicted)
        assert "chain of command of station AM-01-S1" in refused["detail"][0]["msg"]
        await walk(a, [("assigned", officer, assign), ("under_investigation", investigator, {})])
        await walk(a, [("suspended", investigator, {"reason": "criminal_proceedings"})])
        await walk(a, [("under_investigation", investigator, {})])
        await walk(a, [("findings", investigator, await findings(aid, "NOT_SUBSTANTIATED"))])
        await walk(a, [("outcome", officer, {"reason": "no_further_action"})])
        await walk(a, [("complainant_notified", officer, {})])
        await walk(a, [("review_requested", "complainant", {})])
        await walk(a, [("formal_investigation", oversight, {"reason": "upheld_reinvestigate"})])
        await walk(a, [("assigned", officer, assign), ("under_investigation", investigator, {})])
        await walk(a, [("findings", investigator, await findings(aid, "SUBSTANTIATED"))])
        await walk(a, [("outcome", officer, {"reason": "sanction_and_remedy"})])
        await walk(a, [("complainant_notified", officer, {})])
        # Closing inside the 28-day review window is refused; only the complainant can waive.
        early = await move(client, aid, officer, "closed", expect=409)
        assert "may ask for a review until" in early["detail"][0]["msg"]
        waived = await move(client, aid, officer, "closed", expect=403, reason="review_waived")
        assert "only the complainant can waive" in waived["detail"][0]["msg"]
        await walk(a, [("closed", "complainant", {}), ("reopened", officer, {})])
        await walk(a, [("formal_investigation", officer, {})])

        # B: informal resolution fails, formal, review not upheld; reopened, not accepted.
        b = await file(client)
        bid = b["complaint_id"]
        await walk(b, [("logged", officer, {}), ("triage", officer, {})])
        refused = await move(client, bid, officer, "informal_resolution", expect=422)
        assert refused["detail"][0]["loc"] == ["body", "complainant_agreed"]
        await walk(b, [("informal_resolution", officer, {"complainant_agreed": True})])
        await walk(b, [("formal_investigation", officer, {"reason": "complainant_withdrew"})])
        await walk(b, [("assigned", officer, assign), ("under_investigation", investigator, {})])
        await walk(b, [("findings", investigator, await findings(bid, "EXONERATED"))])
        await walk(b, [("outcome", officer, {"reason": "no_further_action"})])
        await walk(b, [("complainant_notified", officer, {})])
        await walk(b, [("review_requested", officer, {})])
        # The unit that decided the outcome does not decide its review.
        own = await move(client, bid, officer, "closed", expect=403)
        assert "review is decided only by" in own["detail"][0]["msg"]
        await walk(b, [("closed", oversight, {})])
        await walk(b, [("reopened", officer, {}), ("triage", officer, {})])
        await walk(
            b, [("not_accepted", officer, {"reason": "out_of_time"}), ("closed", officer, {})]
        )

        # C: informal resolution to the end.  D: referred elsewhere.
        c = await file(client)
        await walk(c, [("logged", officer, {}), ("triage", officer, {})])
        await walk(c, [("informal_resolution", officer, {"complainant_agreed": True})])
        await walk(c, [("outcome", officer, {}), ("complainant_notified", officer, {})])
        await walk(c, [("closed", "complainant", {})])
        d = await file(client)
        await walk(d, [("logged", officer, {}), ("triage", officer, {})])
        await walk(
            d, [("referred", officer, {"reason": "military_justice"}), ("closed", officer, {})]
        )

        # Wrong moves and wrong roles are refused and name what is allowed.
        illegal = await move(client, d["complaint_id"], officer, "findings", expect=409)
        assert illegal["detail"][0]["ctx"]["allowed"] == ["reopened"]
        assert "allowed from closed: reopened" in illegal["detail"][0]["msg"]
        wrong_role = await move(client, aid, investigator, "assigned", expect=403)
        assert "complaints_officer" in wrong_role["detail"][0]["msg"]

        feed = await eventually(
            lambda: _feed(client, officer), timeout=5
        )  # everything the service published, in publication order

    walked = {(p[i], p[i + 1]) for p in paths.values() for i in range(len(p) - 1)}
    assert walked == {(t.source, t.target) for t in TRANSITIONS}, "a path was left out"

    # Complaints' own events (the topic also carries bodies' registrations and checkpoints).
    feed = [item for item in feed if item["type"].startswith("jisr.complaint.")]
    everything = await status_topic(platform, len(feed))
    records = [(t, d) for t, d in everything if t.startswith("jisr.complaint.")]
    assert len(records) == len(feed)
    on_topic: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for ce_type, data in records:
        on_topic[data["complaint_id"]].append((ce_type, data))
    for cid, path in paths.items():
        story = [d for t, d in on_topic[cid] if t == "jisr.complaint.status_changed.v1"]
        assert [s["to_status"] for s in story] == path
        assert [s["sequence"] for s in story] == list(range(1, len(path) + 1))
        assert [s["from_status"] for s in story] == [None, *path[:-1]]
        types = [t.split(".")[2] for t, _ in on_topic[cid]]
        assert types[0] == "received"
        first_findings = types.index("finding_recorded") if "finding_recorded" in types else None
        if first_findings is not None:  # findings events come right before the move to findings
            assert story[path.index("findings")]["findings"] is not None
            assert types[first_findings + len(COMPLAINT["allegations"])] == "status_changed"
        assert types.count("closed") == path.count("closed")


async def _feed(client, headers):
    response = await client.get("/v1/oversight/feed", params={"limit": 5000}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]
