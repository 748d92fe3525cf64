"""Run the `jisr` command line in a child process against a test's platform."""

from __future__ import annotations

import asyncio
import os
import sys


async def run_cli(
    platform, *args: str, env: dict[str, str] | None = None, expect: int = 0, timeout: float = 180
) -> str:
    """`jisr <args>` with the platform's database and topics (plus `env`); its stdout, or its
    stderr when `expect` is a failing exit code. The test's event loop keeps running meanwhile."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "jisr.cli",
        *args,
        env=platform.env() | {"PYTHONPATH": os.getcwd()} | (env or {}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=timeout)
    assert child.returncode == expect, stderr.decode()[-3000:]
    return stdout.decode() if expect == 0 else stderr.decode()
