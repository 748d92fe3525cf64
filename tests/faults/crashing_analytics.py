"""Run analytics until its consumer has committed one batch to the database, then die hard.

os._exit skips every cleanup: no Kafka offset commit, no graceful shutdown — the same as a
process killed between the database commit and the offset commit.
"""

import asyncio
import os

from jisr.services import definition
from libs.chassis.service import create_app
from libs.chassis.settings import Settings

CRASH_EXIT_CODE = 17


async def crash(_envelopes) -> None:
    os._exit(CRASH_EXIT_CODE)


async def main() -> None:
    app = create_app(definition("analytics"), Settings(), after_apply=crash)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(120)


if __name__ == "__main__":
    asyncio.run(main())
    raise SystemExit("never received an event")
