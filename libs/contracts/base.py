"""The base every jisr event model stands on.

An event model is the `data` of a CloudEvent. It is frozen (events are facts), forbids unknown
fields (a typo is an error, not silently dropped data) and names its own type and major version,
which together make the CloudEvents `type` attribute, e.g. ``jisr.incident.recorded.v1``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

#: A machine code (category, clock kind, group): lower snake case, so it can never hold prose.
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class EventModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Short dotted name, e.g. "incident.recorded". Stable across versions.
    event_type: ClassVar[str]
    #: Major version; a backward-incompatible change needs a new one (and a new class).
    major: ClassVar[int] = 1

    @classmethod
    def ce_type(cls) -> str:
        """The CloudEvents `type` attribute: jisr.<event_type>.v<major>."""
        return f"jisr.{cls.event_type}.v{cls.major}"

    @classmethod
    def schema_name(cls) -> str:
        """File name (without .json) of the committed JSON Schema of this version."""
        return f"{cls.event_type}.v{cls.major}"
