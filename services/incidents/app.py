"""ASGI entry point: `uvicorn services.incidents.app:app` (or `jisr serve incidents`)."""

from libs.chassis.service import create_app

from .definition import DEFINITION

app = create_app(DEFINITION)
