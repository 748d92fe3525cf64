"""JSON logs: one object per line, carrying the current trace and span ids.

Fields: ts (ISO 8601, UTC), level, logger, service, message, trace_id/span_id (hex, only inside
a valid span), exc_info (formatted traceback), plus the JSON-serialisable `extra={...}` fields
of the call (UUIDs, datetimes, decimals and enums are written as strings; anything else that
is not serialisable is dropped). Privacy is by construction: never log personal data.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO
from uuid import UUID

from opentelemetry import trace

__all__ = ["JsonFormatter", "configure_logging"]

NOISY_LOGGERS = {"aiokafka": logging.WARNING}

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_MARK = "_jisr_json_handler"


def _default(value: Any) -> Any:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(type(value).__name__)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        out: dict[str, Any] = {
            "ts": ts.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "service": self.service,
            "message": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            out["trace_id"] = format(ctx.trace_id, "032x")
            out["span_id"] = format(ctx.span_id, "016x")
        for key, value in vars(record).items():
            if key in _RECORD_ATTRS or key in out:
                continue
            try:
                json.dumps(value, default=_default)
            except (TypeError, ValueError):
                continue
            out[key] = value
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc_info"] = record.exc_text
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=_default, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send root logging to `stream` (default stderr) as JSON lines.

    Idempotent: a repeated call replaces the handler it installed before (the last call's
    service and stream win); other handlers on the root logger are left alone.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, noisy_level in NOISY_LOGGERS.items():
        logging.getLogger(name).setLevel(noisy_level)
