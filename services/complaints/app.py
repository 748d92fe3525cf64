"""ASGI entry point: `uvicorn services.complaints.app:app` (or `jisr serve complaints`)."""

from libs.chassis.service import create_app

from .definition import DEFINITION

app = create_app(DEFINITION)
