"""Domain rule violations as HTTP answers, in the shape FastAPI uses for its own errors."""

from __future__ import annotations

from fastapi import HTTPException

from .domain import DomainError, IllegalTransition


def http_error(exc: DomainError) -> HTTPException:
    if isinstance(exc, IllegalTransition):
        return HTTPException(exc.status, {"msg": exc.message, "allowed": exc.allowed})
    if exc.status == 422:
        loc = exc.loc if exc.loc and exc.loc[0] == "body" else ["body", *exc.loc]
        return HTTPException(422, [{"loc": loc, "msg": exc.message, "type": "rule"}])
    return HTTPException(exc.status, exc.message)
