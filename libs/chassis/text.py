"""Text that PostgreSQL, logs and terminals can hold: no NUL, no control characters.

PostgreSQL refuses NUL in text (asyncpg raises, which was a 500), and other C0 controls, DEL
and lone surrogates are never legitimate in a name, a reference or a query parameter. One check
runs in every service's request path (installed by `create_app` as an app-wide dependency), so
every JSON body, query parameter and path parameter of every route is covered, whatever its
schema declares and however new the route is, and the client gets a 422 naming the field:

    {"detail": [{"loc": ["body", "source_ref"], "msg": "must not contain control characters
                 (NUL, U+0000-U+001F, DEL) or unpaired surrogates", "type": "control_character"}]}

Why a dependency rather than an annotated type on each schema: a type protects only the fields
someone remembered to annotate (and a `dict[str, Any]` or a `list[str]` field none), while the
dependency sees every string FastAPI is about to validate. It runs before the route's own
dependencies and body validation, on the body FastAPI has already read and cached (only for
routes that declare a body, so a streamed upload is never buffered). Line breaks and tabs are
allowed in body strings (a description has paragraphs), never in query or path parameters.

Parsers of other inputs (bulk rows, events) call `control_character_paths` themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

# C0 controls and DEL, except tab, line feed and carriage return; plus lone surrogates (which
# json.loads lets through from "\ud800" and which no encoder can write).
_IN_BODY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Parameters are one line: no tab or line break either.
_IN_PARAMETER = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

# What a JSON body must hold for one of its strings to hold such a character: an escape of a
# C0 control, of DEL or of a surrogate, or a raw DEL or control byte (JSON allows DEL raw). A
# body without any (almost every body) is not parsed a second time.
_MAYBE_IN_JSON = re.compile(
    rb"\\u00[01]|\\u007[fF]|\\u[dD][89a-fA-F]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)

MESSAGE = "must not contain control characters (NUL, U+0000-U+001F, DEL) or unpaired surrogates"
ERROR_TYPE = "control_character"


def has_control_characters(value: str, *, multiline: bool = True) -> bool:
    return bool((_IN_BODY if multiline else _IN_PARAMETER).search(value))


def control_character_paths(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """The path of every string (and object key) in a JSON value holding a control character.

    A bad key is reported at its object's path, so the answer never repeats the key itself.
    """
    if isinstance(value, str):
        if _IN_BODY.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _IN_BODY.search(key):
                yield path
                continue
            yield from control_character_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from control_character_paths(item, (*path, index))


def _error(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {"loc": loc, "msg": MESSAGE, "type": ERROR_TYPE}


MAX_REPORTED = 20  # a body of a thousand bad strings needs no thousand items


async def refuse_control_characters(request: Request) -> None:
    """The app-wide dependency: 422 naming each field that holds a control character."""
    errors: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and _IN_PARAMETER.search(value):
            errors.append(_error(("path", name)))
    for name, value in request.query_params.multi_items():
        if _IN_PARAMETER.search(name):
            errors.append(_error(("query",)))
        elif _IN_PARAMETER.search(value):
            errors.append(_error(("query", name)))
    route = request.scope.get("route")
    # Only where FastAPI itself parses a JSON body: it has read (and cached) it already.
    if getattr(route, "body_field", None) is not None and "json" in request.headers.get(
        "content-type", ""
    ):
        body = await request.body()
        try:
            document = json.loads(body) if _MAYBE_IN_JSON.search(body) else None
        except (ValueError, RecursionError):
            document = None  # malformed JSON: FastAPI's own validation answers it
        for path in control_character_paths(document):
            errors.append(_error(("body", *path)))
            if len(errors) >= MAX_REPORTED:
                break
    if errors:
        raise RequestValidationError(errors[:MAX_REPORTED])
