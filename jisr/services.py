"""The four services by name, imported lazily (the CLI may run only one of them)."""

from __future__ import annotations

import importlib

from libs.chassis.service import ServiceDefinition
from libs.chassis.settings import SERVICES


def definition(name: str) -> ServiceDefinition:
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.definition").DEFINITION
