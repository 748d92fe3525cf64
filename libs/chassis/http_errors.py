"""One error body for every 4xx (and 5xx) of every service, declared in OpenAPI.

`install(app)` (called by `create_app`) registers the handlers:

- `RuleViolation` (libs.chassis.errors): its status, one item naming the field and the rule;
- FastAPI's request validation: pydantic's items, without `input` and `url`, so an error body
  never echoes what was sent (a complainant's name in a malformed field, say);
- `HTTPException` (auth, rate limits, not found): its message as one item whose `type` says
  what happened (`unauthorized`, `forbidden`, ...); its headers (WWW-Authenticate,
  Retry-After) kept.

and replaces FastAPI's `HTTPValidationError` in the OpenAPI document with `ErrorBody`, on 422
and on every other 4xx a route may answer, so a client (or schemathesis) reads one schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import RuleViolation


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(
        description='Where: ["body", "station_id"], ["query", "from"]; [] for the whole request'
    )
    msg: str = Field(description="The rule that was broken, in words")
    type: str = Field(description='A machine code: "rule", "forbidden", "not_found", ...')
    ctx: dict[str, Any] | None = Field(
        default=None, description="Machine-readable detail, e.g. the allowed next states"
    )


class ErrorBody(BaseModel):
    """Every 4xx and 5xx body of every jisr service."""

    detail: list[ErrorItem]


#: The `type` of an HTTPException's item, by status.
TYPE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "rule",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


def error_type(status: int) -> str:
    return TYPE_BY_STATUS.get(status, "client_error" if status < 500 else "server_error")


def body(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"detail": items}


def error_response(status: int, msg: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    """A whole-request error (no field) in the one shape, e.g. 503 database unavailable."""
    item = {"loc": [], "msg": msg, "type": error_type(status)}
    return JSONResponse(body([item]), status_code=status, headers=headers)


async def _rule_violation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleViolation)
    return JSONResponse(jsonable_encoder(body([exc.item()])), status_code=exc.status)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = []
    for error in exc.errors():
        sent = error.get("input")
        item = {
            "loc": list(error.get("loc", ())),
            "msg": _unechoed(error.get("msg", ""), sent),
            "type": error.get("type", "value_error"),
        }
        ctx = error.get("ctx")
        if ctx:  # may hold the exception a validator raised: its text is enough
            item["ctx"] = {
                k: _unechoed(v, sent) if isinstance(v, str) else v
                for k, v in (
                    (k, v if isinstance(v, int | float | bool) else str(v)) for k, v in ctx.items()
                )
            }
        items.append(item)
    return JSONResponse(jsonable_encoder(body(items)), status_code=422)


def _unechoed(text: str, sent: Any) -> str:
    """`text` without the value that was sent: pydantic repeats some (a union's tag, a
    validator's message), and a value sent may be a person's name."""
    if not isinstance(sent, str) or not sent:
        return text
    for quoted in (f"'{sent}'", f'"{sent}"', f"`{sent}`", repr(sent)):  # as pydantic quotes it
        text = text.replace(quoted, "(the value sent)")
    return text


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code in (204, 304):  # no body allowed
        return JSONResponse(None, status_code=exc.status_code, headers=headers)
    return JSONResponse(
        # Every HTTPException of ours (auth, rate limits) carries its message as a string.
        body([{"loc": [], "msg": str(exc.detail), "type": error_type(exc.status_code)}]),
        status_code=exc.status_code,
        headers=headers,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RuleViolation, _rule_violation)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.openapi = _openapi_with_error_body(app)  # type: ignore[method-assign]


_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_ERROR_CONTENT = {"application/json": {"schema": _ERROR_REF}}


def _openapi_with_error_body(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        error_schemas = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schemas.pop("$defs", {}))
        components["ErrorBody"] = error_schemas
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                # A page (an HTML success) answers its refusals as a page too.
                page = "text/html" in responses.get("200", {}).get("content", {})
                content = _ERROR_CONTENT | ({"text/html": {}} if page else {})
                for code, response in responses.items():
                    if code.startswith(("4", "5")):
                        response["content"] = content
                responses.setdefault(
                    "4XX", {"description": "Refused: the error body", "content": content}
                )
        app.openapi_schema = schema
        return schema

    return openapi
