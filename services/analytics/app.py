"""ASGI entry point: `uvicorn services.analytics.app:app` (or `jisr serve analytics`)."""

from libs.chassis.service import create_app

from .definition import DEFINITION

app = create_app(DEFINITION)
