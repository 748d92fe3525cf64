"""The filing form: its fields as `ComplaintIn` (the JSON intake's own request model), and any
refusal — pydantic's or a rule's — as a message on the field it concerns, in the page's
language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from libs.chassis.errors import RuleViolation

from ..schemas import ComplaintIn
from .words import Lang, word

ALLEGATION_BLOCKS = 3  # one shown, two more inside <details>: no script adds rows
ALLEGATION_FIELDS = ("category", "against", "officer_service_number", "unit_code")
MAX_FORM_BYTES = 64 * 1024
#: Which form field a part of ComplaintIn comes from.
NESTED = {
    "complainant": {k: k for k in ("name", "phone", "email", "address", "age_band")},
    "on_behalf": {k: f"ob_{k}" for k in ("organisation", "contact_name", "contact_phone")},
}
#: The label (words.py key) of each form field.
LABELS = {
    "narrative": "narrative",
    "occurred_at": "occurred_at",
    "station_id": "station_id",
    "governorate_code": "governorate_code",
    "language": "language",
    **{v: k for k, v in NESTED["complainant"].items()},
    **{v: k for k, v in NESTED["on_behalf"].items()},
    **{f"a{i}_{f}": f for i in range(ALLEGATION_BLOCKS) for f in ALLEGATION_FIELDS},
}
#: The fields top to bottom, so the errors summary reads in the same order.
FORM_ORDER = (
    "narrative",
    "occurred_at",
    "station_id",
    "governorate_code",
    *(f"a{i}_{f}" for i in range(ALLEGATION_BLOCKS) for f in ALLEGATION_FIELDS),
    *NESTED["complainant"].values(),
    *NESTED["on_behalf"].values(),
    "language",
)


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field's name and id
    message: str


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, first value of each field, trimmed."""
    parsed = parse_qs(body[:MAX_FORM_BYTES].decode(errors="replace"), keep_blank_values=True)
    return {k: v[0].strip() for k, v in parsed.items() if v}


class FormInvalid(Exception):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("form invalid")
        self.errors = list(errors)


def complaint_from(form: dict[str, str], lang: Lang, timezone: str, today: date) -> ComplaintIn:
    """The form as the JSON intake's request, or FormInvalid with every field's problem."""
    errors: list[FieldError] = []
    body: dict[str, Any] = {"narrative": form.get("narrative", "")}
    if not body["narrative"]:
        errors.append(FieldError("narrative", word("err_missing", lang)))
    for key in ("station_id", "governorate_code"):
        if form.get(key):
            body[key] = form[key]
    body["language"] = form.get("language") or lang
    if form.get("occurred_at"):
        try:
            day = date.fromisoformat(form["occurred_at"])
        except ValueError:
            errors.append(FieldError("occurred_at", word("err_date", lang)))
        else:
            if day > today:
                errors.append(FieldError("occurred_at", word("err_future", lang)))
            body["occurred_at"] = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))
    allegations: list[dict[str, Any]] = []
    for i in range(ALLEGATION_BLOCKS):
        values = {f: form.get(f"a{i}_{f}", "") for f in ALLEGATION_FIELDS}
        if not values["category"]:
            if i == 0:
                errors.append(FieldError("a0_category", word("err_missing", lang)))
            elif values["officer_service_number"] or values["unit_code"]:
                errors.append(FieldError(f"a{i}_category", word("err_category_first", lang)))
            continue
        allegation: dict[str, Any] = {
            "category": values["category"],
            "against": values["against"] or "officer",
        }
        if values["officer_service_number"]:
            allegation["officer_service_number"] = values["officer_service_number"]
        if values["unit_code"]:
            allegation["unit_code"] = values["unit_code"].upper()
        if allegation["against"] == "unit" and not values["unit_code"]:
            errors.append(FieldError(f"a{i}_unit_code", word("err_unit_needed", lang)))
            continue
        if allegation["against"] == "station":
            if not form.get("station_id"):
                errors.append(FieldError("station_id", word("err_station_needed", lang)))
                continue
            allegation["station_id"] = form["station_id"]
        allegations.append(allegation)
    body["allegations"] = allegations
    for part, fields in NESTED.items():
        given = {k: form[name] for k, name in fields.items() if form.get(name)}
        if given:
            body[part] = given
    if not form.get("station_id") and not form.get("governorate_code"):
        errors.append(FieldError("station_id", word("err_where", lang)))
    try:
        complaint = ComplaintIn.model_validate(body)
    except ValidationError as exc:
        errors += [_from_pydantic(e, lang) for e in exc.errors(include_url=False)]
        raise FormInvalid(_first_per_field(errors)) from None
    if errors:
        raise FormInvalid(_first_per_field(errors))
    return complaint


def field_of(loc: Sequence[str | int]) -> str:
    """The form field behind a ComplaintIn location (without "body")."""
    parts = [p for p in loc if p != "body"]
    if not parts:
        return "narrative"
    head = parts[0]
    if head in NESTED and len(parts) > 1 and str(parts[1]) in NESTED[str(head)]:
        return NESTED[str(head)][str(parts[1])]
    if head == "allegations":
        if len(parts) > 2 and parts[2] == "station_id":
            return "station_id"  # a station allegation takes the station chosen above
        if len(parts) > 2 and parts[2] in ALLEGATION_FIELDS:
            return f"a{parts[1]}_{parts[2]}"
        return f"a{parts[1] if len(parts) > 1 else 0}_category"
    return str(head) if str(head) in LABELS else "narrative"


def _from_pydantic(error: Any, lang: Lang) -> FieldError:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing" or (kind == "too_short" and error["loc"][:1] == ("allegations",)):
        message = word("err_missing", lang)
    elif kind == "string_too_short":
        message = word("err_short", lang, n=ctx.get("min_length", ""))
    elif kind == "string_too_long":
        message = word("err_long", lang, n=ctx.get("max_length", ""))
    elif kind == "string_pattern_mismatch":
        message = word("err_format", lang)
    elif kind in ("literal_error", "enum"):
        message = word("err_choice", lang)
    else:
        message = word("err_invalid", lang)
    return FieldError(field_of(error["loc"]), message)


def from_rule(exc: RuleViolation, lang: Lang) -> FieldError:
    """A rule the intake refused the filing by (unknown station, station and governorate
    that disagree...), on its field; the rule's own words in English."""
    if exc.rule.startswith("say where"):
        return FieldError("station_id", word("err_where", lang))
    message = exc.rule if lang == "en" else word("err_invalid", lang)
    return FieldError(field_of(exc.loc), message)


def _first_per_field(errors: Sequence[FieldError]) -> list[FieldError]:
    """One message per field, in the order the fields appear on the form."""
    seen: dict[str, FieldError] = {}
    for error in errors:
        seen.setdefault(error.field, error)
    order = {name: i for i, name in enumerate(FORM_ORDER)}
    return sorted(seen.values(), key=lambda e: order.get(e.field, len(order)))
