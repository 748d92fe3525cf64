"""Fixtures shared by the complaints tests that need the service on a real port."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import uvicorn

from libs.chassis.service import create_app
from services.complaints.definition import make_definition
from tests.complaints.support import FAST


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def served(platform):
    """The complaints service on a real port (a browser or the CLI talks to it over HTTP):
    (platform, client, base url)."""
    await platform.migrate("complaints")
    port = _free_port()
    app = create_app(make_definition(FAST), platform.settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield platform, client, url
    server.should_exit = True
    await task
