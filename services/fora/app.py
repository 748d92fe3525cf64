"""ASGI entry point: `uvicorn services.fora.app:app` (or `jisr serve fora`)."""

from libs.chassis.service import create_app

from .definition import DEFINITION

app = create_app(DEFINITION)
