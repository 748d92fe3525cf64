"""The one rule-violation error every service raises, from any layer.

A `RuleViolation` says which field broke which rule, and with which HTTP status the request is
refused. Domain code raises it without knowing about HTTP (this module imports nothing with
I/O); `libs.chassis.http_errors` turns it, and every other 4xx, into the one body shape all
four services answer with:

    {"detail": [{"loc": ["body", "station_id"], "msg": "unknown station 'X'", "type": "rule"}]}

`loc` is FastAPI's: where the field is ("body", "query", "path", "header") and its path
inside; empty when the request as a whole is refused (a forbidden role, an illegal move).
`type` is a machine code: "rule" for a broken domain rule, "forbidden", "not_found",
"conflict", "illegal_transition", ... or pydantic's own code for a malformed request. `ctx`,
when present, carries machine-readable detail (e.g. the allowed next states).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Where a field can be in a request; a location not starting with one of these is the body.
LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})

Loc = tuple[str | int, ...]


def location(field: str | Sequence[str | int] | None) -> Loc:
    """`"offences.0.iccs_code"` or `("offences", 0, "iccs_code")` -> a FastAPI `loc`."""
    if field is None:
        return ()
    if isinstance(field, str):
        parts: Loc = tuple(int(p) if p.isdigit() else p for p in field.split("."))
    else:
        parts = tuple(field)
    if parts and parts[0] in LOCATIONS:
        return parts
    return ("body", *parts)


class RuleViolation(Exception):
    """A well-formed request that a rule refuses: the field, the rule, the HTTP status.

    Raise it anywhere (domain, application, repository); the open transaction rolls back and
    the client gets one error item naming the field and the rule.
    """

    def __init__(
        self,
        field: str | Sequence[str | int] | None,
        rule: str,
        *,
        status: int = 422,
        code: str = "rule",
        ctx: Mapping[str, Any] | None = None,
    ) -> None:
        self.loc = location(field)
        self.rule = rule
        self.status = status
        self.code = code
        self.ctx = dict(ctx) if ctx else None
        where = ".".join(map(str, self.loc))
        super().__init__(f"{where}: {rule}" if where else rule)

    @classmethod
    def forbidden(cls, rule: str, field: str | Sequence[str | int] | None = None) -> RuleViolation:
        return cls(field, rule, status=403, code="forbidden")

    @classmethod
    def not_found(cls, rule: str, field: str | Sequence[str | int] | None = None) -> RuleViolation:
        return cls(field, rule, status=404, code="not_found")

    @classmethod
    def conflict(
        cls,
        rule: str,
        field: str | Sequence[str | int] | None = None,
        *,
        code: str = "conflict",
        ctx: Mapping[str, Any] | None = None,
    ) -> RuleViolation:
        return cls(field, rule, status=409, code=code, ctx=ctx)

    def item(self) -> dict[str, Any]:
        """This violation as one item of the error body."""
        item: dict[str, Any] = {"loc": list(self.loc), "msg": self.rule, "type": self.code}
        if self.ctx:
            item["ctx"] = self.ctx
        return item
