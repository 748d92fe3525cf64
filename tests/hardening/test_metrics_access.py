"""/metrics: open by default (local), behind a token (JISR_METRICS_TOKEN), or only on its own
port (JISR_METRICS_PORT), as a deployment chooses."""

from __future__ import annotations

import asyncio

import httpx

from jisr.local_stack import free_port
from tests.support.platform import make_platform


async def test_a_metrics_token_is_required_when_set(infra):
    platform = await make_platform(infra, metrics_token="scrape-secret")
    await platform.migrate("incidents")
    async with platform.run("incidents") as client:
        refused = await client.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["detail"][0]["type"] == "unauthorized"
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert ok.status_code == 200 and "jisr_http_requests" in ok.text


async def test_a_metrics_port_moves_them_off_the_api_port(infra):
    port = free_port()
    platform = await make_platform(infra, metrics_port=port, metrics_token="scrape-secret")
    await platform.migrate("incidents")
    async with platform.run("incidents") as client:
        assert (await client.get("/metrics")).status_code == 404
        url = f"http://127.0.0.1:{port}/metrics"
        async with httpx.AsyncClient() as scraper:
            for _ in range(50):  # the port opens with the service's background tasks
                try:
                    refused = await scraper.get(url)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert refused.status_code == 401
            ok = await scraper.get(url, headers={"Authorization": "Bearer scrape-secret"})
            assert ok.status_code == 200 and "jisr_http_requests" in ok.text
            assert (await scraper.get(f"http://127.0.0.1:{port}/healthz")).status_code == 404
