"""Shared steps of the fora tests: start the service, call it, read its events."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import asynccontextmanager

import httpx

from libs.contracts.topics import FORA_ACTIVITY
from tests.support.platform import Platform

MEMBER_NAMES = {
    "chair": "Canary Abu-Khalil Qasem",
    "vice_chair": "Canary Huda Masri",
    "secretary": "Canary Rania Odeh",
    "police_liaison": "Canary Sgt Omar Zoubi",
}


@asynccontextmanager
async def running_fora(platform: Platform):
    await platform.migrate("fora")
    async with platform.run("fora") as fora:
        yield fora


class Api:
    """A forum coordinator's calls; each asserts the expected status and returns the JSON."""

    def __init__(self, platform: Platform, client: httpx.AsyncClient, **token) -> None:
        self.client = client
        self.headers = platform.token("forum_coordinator", **token)

    async def call(self, method: str, url: str, expect: int = 200, **kwargs):
        response = await self.client.request(method, url, headers=self.headers, **kwargs)
        assert response.status_code == expect, f"{method} {url}: {response.text}"
        return response.json() if response.content else None

    async def post(self, url: str, body: dict | None = None, expect: int = 201):
        return await self.call("POST", url, expect, json=body)

    async def get(self, url: str, expect: int = 200, **params):
        return await self.call("GET", url, expect, params=params)

    async def put(self, url: str, body: dict, expect: int = 200):
        return await self.call("PUT", url, expect, json=body)

    async def forum(self, area_id: str = "AM-01", **extra) -> str:
        body = {
            "forum_type": "local_security_council",
            "area_id": area_id,
            "name_en": f"{area_id} local security council",
            "name_ar": f"مجلس الأمن المحلي {area_id}",
        }
        return (await self.post("/v1/fora", body | extra))["forum_id"]

    async def member(self, forum_id: str, role: str, represents: str, gender: str, **extra) -> str:
        body = {
            "name": extra.pop("name", MEMBER_NAMES.get(role, f"Canary member {role}")),
            "role": role,
            "represents": represents,
            "gender": gender,
            "joined_on": "2026-06-01",
        }
        return (await self.post(f"/v1/fora/{forum_id}/members", body | extra))["member_id"]

    async def meeting(self, forum_id: str, day: str, kind: str = "regular") -> str:
        body = {"scheduled_for": day, "kind": kind}
        return (await self.post(f"/v1/fora/{forum_id}/meetings", body))["meeting_id"]

    async def hold(self, meeting_id: str, day: str, present: list[str], walk_ins: list[dict]):
        body = {"held_on": day, "members_present": present, "walk_ins": walk_ins}
        return await self.post(f"/v1/meetings/{meeting_id}/attendance", body, expect=200)


async def fora_events(
    platform: Platform, expected: int | None = None, timeout: float = 20.0
) -> list[dict]:
    """Events on the fora topic as {type, data}; waits for `expected` of them, by default as
    many as the outbox staged."""
    if expected is None:
        expected = await platform.scalar("fora", "SELECT count(*) FROM outbox")
    records = await platform.topic_records(FORA_ACTIVITY.name, expected, timeout)
    return [
        {"type": dict(r.headers)["ce_type"].decode(), "data": json.loads(r.value), "raw": r}
        for r in records
    ]


def count_types(events: list[dict]) -> Counter:
    return Counter(e["type"].removeprefix("jisr.").removesuffix(".v1") for e in events)
