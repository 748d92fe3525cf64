"""Every route of every service × every kind of caller × their own and another area.

The routes come from each service's app (every route it serves, the pages and /metrics
included), so a route added without an expectation here fails the test. Fora's routes are
covered by `tests/fora/test_authorization_matrix.py` (it builds fora's own records): this test
only checks that its table names every fora route.

Two layers:

- roles (every route): no token is 401 (a page redirects to /login), a caller the route does
  not admit is 403, an admitted caller is neither, whatever the request then makes of the
  placeholder ids and bodies (404, 422...);
- scope (every route that reads or writes one area's records): the station officer of
  AM-01-S1 and the oversight body registered for governorate AM reach the records of their
  own area and never those of IR: 403 or 404 there, and lists hold no other area's rows.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jisr.services import SERVICES, definition
from libs.chassis.service import create_app
from tests.support.platform import eventually, make_platform

OWN, OTHER = "AM-01-S1", "IR-01-S1"
BODY = "matrix_am"  # an oversight body registered for governorate AM
TODAY = datetime.now(UTC).date()
LAST_MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)
WEEK = LAST_MONDAY.isoformat()

#: caller -> (role, claims); None: no token
CALLERS: dict[str, tuple[str, dict[str, str]] | None] = {
    "anonymous": None,
    "admin": ("admin", {}),
    "analyst": ("ministry_analyst", {}),
    "officer": ("station_officer", {"station_id": OWN}),
    "coordinator": ("forum_coordinator", {}),
    "complaints": ("complaints_officer", {}),
    "investigator": ("investigator", {}),
    "reviewer": ("reviewer", {}),
    "oversight": ("oversight", {"oversight_body": BODY}),
}
AUTHENTICATED = frozenset(CALLERS) - {"anonymous"}
FORM = "application/x-www-form-urlencoded"
PUBLIC = frozenset(CALLERS)


def admits(*callers: str) -> frozenset[str]:
    return frozenset({"admin", *callers})


@dataclass(frozen=True)
class Route:
    """Who the route admits, and the request the roles layer sends (placeholders)."""

    admitted: frozenset[str]
    url: str | Callable[[dict[str, Any]], str]
    body: Any = None  # JSON for POST/PUT; default {} (so an admitted caller gets a 422)
    page: bool = False  # an HTML page: no token redirects to /login
    content: tuple[bytes, str] | None = None  # a raw body and its content type
    # Admitted callers who may still be refused the placeholder record (not theirs): an
    # investigator a case not assigned, a station officer a complaint about their station.
    record_scoped: frozenset[str] = frozenset()
    # A form judged by what it carries, not by the caller: this status for every caller (403
    # a citizen's form without its CSRF token, 401 the dashboard's sign-in without a token).
    form_status: int | None = None


def _incident(t: dict[str, Any]) -> str:
    return str(t["incident"][OWN])


def _complaint(t: dict[str, Any]) -> str:
    return str(t["complaint"][OWN])


READ_STATS = admits("analyst", "officer")
STAFF = admits("complaints", "investigator", "oversight", "officer", "reviewer")
NOT_THEIRS = frozenset({"officer", "investigator", "reviewer"})
OVERSEERS = admits("complaints", "oversight")

# Every service's own: health, metrics (open unless JISR_METRICS_TOKEN/PORT), documents.
META: dict[str, Route] = {
    f"GET {path}": Route(PUBLIC, path)
    for path in (
        "/healthz", "/readyz", "/metrics", "/asyncapi.json", "/openapi.json", "/docs",
        "/docs/oauth2-redirect", "/redoc",
    )
}  # fmt: skip

INCIDENTS: dict[str, Route] = {
    **META,
    "GET /v1/taxonomy": Route(PUBLIC, "/v1/taxonomy"),
    "GET /v1/stations": Route(PUBLIC, "/v1/stations"),
    "POST /v1/incidents": Route(admits("officer"), "/v1/incidents"),
    "GET /v1/incidents": Route(admits("officer", "analyst"), "/v1/incidents"),
    "POST /v1/incidents/bulk": Route(
        admits("officer"), "/v1/incidents/bulk", content=(b"", "text/csv")
    ),
    "GET /v1/incidents/{incident_id}": Route(
        admits("officer", "analyst"), lambda t: f"/v1/incidents/{_incident(t)}"
    ),
    "GET /v1/incidents/uploads/{job_id}": Route(
        admits("officer"), lambda t: f"/v1/incidents/uploads/{t['upload'][OWN]}"
    ),
    "GET /v1/incidents/uploads/{job_id}/errors": Route(
        admits("officer"), lambda t: f"/v1/incidents/uploads/{t['upload'][OWN]}/errors"
    ),
    "POST /v1/incidents/{incident_id}/reclassify": Route(
        admits("officer"), lambda t: f"/v1/incidents/{_incident(t)}/reclassify"
    ),
    "POST /v1/incidents/{incident_id}/void": Route(
        admits("officer"), lambda t: f"/v1/incidents/{_incident(t)}/void", body={"reason_code": 1}
    ),
    "POST /v1/incidents/{incident_id}/merge": Route(
        admits("officer"), lambda t: f"/v1/incidents/{_incident(t)}/merge"
    ),
    "POST /v1/incidents/{incident_id}/outcome": Route(
        admits("officer"), lambda t: f"/v1/incidents/{_incident(t)}/outcome"
    ),
    "POST /v1/stations/{station_id}/periods/{week}/close": Route(
        admits("officer"), f"/v1/stations/{OWN}/periods/not-a-week/close"
    ),
    "GET /v1/completeness": Route(admits("analyst", "officer"), "/v1/completeness"),
    "GET /v1/baselines/methods": Route(admits("analyst", "coordinator"), "/v1/baselines/methods"),
    "GET /v1/baselines": Route(
        admits("analyst", "coordinator"), "/v1/baselines?area=JO&category=99"
    ),
    "GET /v1/alerts": Route(admits("analyst", "coordinator"), "/v1/alerts"),
    "GET /v1/alerts/{alert_id}": Route(
        admits("analyst", "coordinator"), "/v1/alerts/00000000-0000-7000-8000-000000000000"
    ),
    "POST /v1/alerts/evaluate": Route(admits("analyst"), "/v1/alerts/evaluate?week=x"),
    "GET /v1/evaluations/before-after": Route(
        admits("analyst", "coordinator"), "/v1/evaluations/before-after"
    ),
}

ANALYTICS: dict[str, Route] = {
    **META,
    "GET /v1/stats/incidents": Route(READ_STATS, "/v1/stats/incidents"),
    **{
        f"GET /v1/stats/{view}{suffix}": Route(
            admits(*who), f"/v1/stats/{view}{suffix}?from=2026-13-01"
        )
        for view, who in (
            ("overview", ("analyst",)),
            ("crime", ("analyst", "officer")),
            ("accountability", ("analyst", "officer", "oversight", "complaints")),
            ("engagement", ("analyst", "officer")),
            *((v, ("analyst", "officer")) for v in ("outreach", "membership", "plans", "sara")),
        )
        for suffix in ("", ".csv")
    },
    "GET /v1/stats/scorecard/{station_id}": Route(
        admits("analyst", "officer"), f"/v1/stats/scorecard/{OWN}?from=x"
    ),
    "GET /v1/stats/scorecard/{station_id}.csv": Route(
        admits("analyst", "officer"), f"/v1/stats/scorecard/{OWN}.csv?from=x"
    ),
    **{
        f"GET /v1/stats/evaluation{suffix}": Route(
            admits("analyst", "officer"), f"/v1/stats/evaluation{suffix}?start=x"
        )
        for suffix in ("", ".csv")
    },
    "GET /public/report": Route(PUBLIC, "/public/report?format=json"),
    # The dashboard: a page of a view the caller may not open answers 403 as a page.
    "GET /": Route(admits("analyst", "officer", "oversight", "complaints"), "/", page=True),
    "GET /overview": Route(admits("analyst"), "/overview?from=x", page=True),
    "GET /crime": Route(admits("analyst", "officer"), "/crime?from=x", page=True),
    "GET /accountability": Route(
        admits("analyst", "officer", "oversight", "complaints"), "/accountability?from=x",
        page=True,
    ),
    "GET /engagement": Route(admits("analyst", "officer"), "/engagement?from=x", page=True),
    **{
        f"GET /{view}": Route(admits("analyst", "officer"), f"/{view}?from=x", page=True)
        for view in ("outreach", "membership", "plans", "sara")
    },
    "GET /scorecard/{station_id}": Route(
        admits("analyst", "officer"), f"/scorecard/{OWN}?from=x", page=True
    ),
    "GET /evaluation": Route(admits("analyst", "officer"), "/evaluation?start=x", page=True),
    "GET /login": Route(PUBLIC, "/login"),
    "POST /login": Route(PUBLIC, "/login", content=(b"token=", FORM), form_status=401),
    "GET /logout": Route(PUBLIC, "/logout"),
    # signing in with the identity provider: 404 while none is configured (as here); the
    # callback judged by its flow cookie, which no caller here has (401 for every one)
    "GET /login/oidc": Route(PUBLIC, "/login/oidc"),
    "GET /login/callback": Route(PUBLIC, "/login/callback?code=x&state=y", form_status=401),
    "GET /static/plotly.min.js": Route(PUBLIC, "/static/plotly.min.js"),
    "GET /static/{name}": Route(PUBLIC, "/static/dashboard.css"),
}  # fmt: skip

COMPLAINTS: dict[str, Route] = {
    **META,
    "POST /v1/complaints": Route(PUBLIC, "/v1/complaints"),
    "GET /v1/complaints": Route(STAFF, "/v1/complaints"),
    "GET /v1/complaints/{reference}/status": Route(PUBLIC, "/v1/complaints/JR-0000/status"),
    "POST /v1/complaints/{reference}/review-request": Route(
        PUBLIC, "/v1/complaints/JR-0000/review-request"
    ),
    "POST /v1/complaints/{reference}/review-waiver": Route(
        PUBLIC, "/v1/complaints/JR-0000/review-waiver"
    ),
    "GET /v1/complaints/{key}/ledger": Route(PUBLIC, "/v1/complaints/JR-0000/ledger"),
    "GET /v1/complaints/{complaint_id}": Route(
        STAFF, lambda t: f"/v1/complaints/{_complaint(t)}", record_scoped=NOT_THEIRS
    ),
    "POST /v1/complaints/{complaint_id}/transitions": Route(
        STAFF, lambda t: f"/v1/complaints/{_complaint(t)}/transitions", record_scoped=NOT_THEIRS
    ),
    "GET /v1/complaints/{complaint_id}/personal-data": Route(
        admits("complaints", "investigator"),
        lambda t: f"/v1/complaints/{_complaint(t)}/personal-data",
    ),
    "GET /v1/complaints/{complaint_id}/timeline": Route(
        STAFF, lambda t: f"/v1/complaints/{_complaint(t)}/timeline", record_scoped=NOT_THEIRS
    ),
    "POST /v1/complaints/{complaint_id}/erase": Route(
        admits("complaints"), lambda t: f"/v1/complaints/{_complaint(t)}/erase"
    ),
    "POST /v1/erasures": Route(admits("complaints"), "/v1/erasures", body={"oldest": "x"}),
    "PUT /v1/oversight/bodies/{body_id}": Route(admits(), "/v1/oversight/bodies/x_body"),
    "GET /v1/oversight/feed": Route(OVERSEERS, "/v1/oversight/feed"),
    "POST /v1/complaints/{complaint_id}/recommendations": Route(
        admits("oversight"), lambda t: f"/v1/complaints/{_complaint(t)}/recommendations"
    ),
    "POST /v1/recommendations/{recommendation_id}/answer": Route(
        admits("complaints"), f"/v1/recommendations/{uuid.uuid4()}/answer"
    ),
    "GET /v1/recommendations": Route(OVERSEERS, "/v1/recommendations"),
    "GET /v1/ledger/public-key": Route(PUBLIC, "/v1/ledger/public-key"),
    "GET /v1/ledger/checkpoint": Route(OVERSEERS, "/v1/ledger/checkpoint"),
    "GET /v1/ledger/checkpoints": Route(OVERSEERS, "/v1/ledger/checkpoints"),
    "POST /v1/ledger/checkpoints": Route(admits(), "/v1/ledger/checkpoints"),
    "GET /v1/ledger/consistency": Route(OVERSEERS, "/v1/ledger/consistency"),
    "GET /v1/ledger/inclusion": Route(OVERSEERS, "/v1/ledger/inclusion"),
    "PUT /v1/staff/{staff_id}": Route(admits(), "/v1/staff/s-matrix"),
    "GET /v1/staff/{staff_id}": Route(admits("complaints"), "/v1/staff/s-matrix"),
    "DELETE /v1/staff/{staff_id}": Route(admits(), "/v1/staff/s-matrix-none"),
    "GET /v1/staff": Route(admits("complaints"), "/v1/staff"),
    "GET /v1/audit/personal-data-reads": Route(
        admits("oversight"), "/v1/audit/personal-data-reads"
    ),
    "POST /v1/clocks/run": Route(admits(), "/v1/clocks/run"),
    "POST /v1/complaints/history": Route(
        admits(), "/v1/complaints/history", content=(b"", "text/csv")
    ),
    # The citizens' portal: no account, forms only.
    "GET /": Route(PUBLIC, "/"),
    **{
        f"GET /citizen{page}": Route(PUBLIC, f"/citizen{page}")
        for page in ("", "/file", "/filed", "/static/citizen.css", "/status", "/track")
    },
    **{
        f"POST /citizen/{form}": Route(
            PUBLIC, f"/citizen/{form}", content=(b"x=1", FORM), form_status=403
        )
        for form in ("file", "review", "track", "waive")
    },
    "POST /citizen/leave": Route(PUBLIC, "/citizen/leave", content=(b"", FORM)),
}


def _service_routes(service: str) -> set[str]:
    """Every "METHOD path" the service's app serves."""
    app = create_app(definition(service))
    found: set[str] = set()

    def walk(routes: Any) -> None:
        for route in routes:
            if type(route).__name__ == "_IncludedRouter":
                for context in route.effective_route_contexts():
                    for method in context.methods - {"HEAD"}:
                        found.add(f"{method} {context.path}")
            elif getattr(route, "methods", None):
                for method in set(route.methods) - {"HEAD"}:
                    found.add(f"{method} {route.path}")

    walk(app.routes)
    return found


TABLES = {"incidents": INCIDENTS, "analytics": ANALYTICS, "complaints": COMPLAINTS}


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_has_an_expectation(service):
    routes = _service_routes(service)
    if service == "fora":
        from tests.fora.test_authorization_matrix import ROUTES as FORA_ROUTES

        # fora's table comes from its OpenAPI document; the chassis' own routes are META's
        table: set[str] = set(FORA_ROUTES) | set(META)
    else:
        table = set(TABLES[service])
    missing = sorted(routes - table)
    assert not missing, f"{service}: routes with no expectation: {missing}"
    stale = sorted(table - routes)
    assert not stale, f"{service}: expectations for routes that do not exist: {stale}"


# --- the running platform ------------------------------------------------------------------


@pytest.fixture(scope="module")
async def world(infra):
    """The three services with one record of each kind in AM-01-S1 and in IR-01-S1."""
    platform = await make_platform(infra)
    await platform.migrate(*SERVICES)
    async with contextlib.AsyncExitStack() as running:
        clients = {
            name: await running.enter_async_context(platform.run(name))
            for name in ("complaints", "incidents", "analytics")
        }
        records: dict[str, dict[str, Any]] = {"incident": {}, "complaint": {}, "upload": {}}
        for station in (OWN, OTHER):
            officer = platform.token("station_officer", station)
            made = await clients["incidents"].post(
                "/v1/incidents",
                json={
                    "station_id": station,
                    "source_ref": f"matrix-{station}",
                    "occurred_at": f"{LAST_MONDAY.isoformat()}T10:00:00+03:00",
                    "offences": [{"iccs_code": "0502"}],
                },
                headers=officer,
            )
            assert made.status_code == 201, made.text
            records["incident"][station] = made.json()["incident_id"]
            job = await clients["incidents"].post(
                "/v1/incidents/bulk",
                content=f"station_id,source_ref,occurred_at\n{station},x,x\n".encode(),
                headers=officer | {"Content-Type": "text/csv", "Prefer": "respond-async"},
            )
            assert job.status_code == 202, job.text
            records["upload"][station] = job.json()["job_id"]
            filed = await clients["complaints"].post(
                "/v1/complaints",
                json={
                    "narrative": "The officer at the desk shouted at me and refused my report.",
                    "station_id": station,
                    "allegations": [
                        {"category": "discourtesy", "against": "station", "station_id": station}
                    ],
                    "channel": "web",
                },
            )
            assert filed.status_code == 201, filed.text
            records["complaint"][station] = filed.json()["complaint_id"]
        registered = await clients["complaints"].put(
            f"/v1/oversight/bodies/{BODY}",
            json={"body_id": BODY, "title": "Amman oversight panel", "governorates": ["AM"]},
            headers=platform.token("admin"),
        )
        assert registered.status_code == 200, registered.text

        async def known() -> bool:
            rows = await platform.sql(
                "analytics", "SELECT 1 FROM oversight_jurisdictions WHERE body_id = $1", BODY
            )
            return bool(rows)

        await eventually(known, timeout=30)
        yield platform, clients, records


def _headers(platform: Any, caller: str) -> dict[str, str]:
    spec = CALLERS[caller]
    if spec is None:
        return {}
    role, claims = spec
    station = claims.get("station_id")
    rest = {k: v for k, v in claims.items() if k != "station_id"}
    return platform.token(role, station, **rest)


async def _send(client: Any, method: str, route: Route, url: str, headers: dict[str, str]):
    if route.content is not None:
        data, kind = route.content
        return await client.request(
            method, url, content=data, headers=headers | {"Content-Type": kind}
        )
    if method in ("POST", "PUT"):
        return await client.request(
            method, url, json={} if route.body is None else route.body, headers=headers
        )
    return await client.request(method, url, headers=headers)


@pytest.mark.slow
@pytest.mark.parametrize("service", ["incidents", "analytics", "complaints"])
async def test_roles(world, service):
    platform, clients, records = world
    client = clients[service]
    wrong: list[str] = []
    for key, route in TABLES[service].items():
        method, _path = key.split(" ", 1)
        url = route.url(records) if callable(route.url) else route.url
        for caller in CALLERS:
            response = await _send(client, method, route, url, _headers(platform, caller))
            status = response.status_code
            if route.form_status is not None:
                ok = status == route.form_status
            elif caller == "anonymous" and caller not in route.admitted:
                ok = status in ((303, 401) if route.page else (401,))
            elif caller in route.admitted:
                refusable = (401, 403) if caller not in route.record_scoped else (401,)
                ok = status not in refusable and status < 500
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{key} as {caller}: {status} {response.text[:120]!r}")
    assert not wrong, f"{len(wrong)} unexpected answers:\n" + "\n".join(wrong)


# --- scope: own area and another one -------------------------------------------------------


@dataclass(frozen=True)
class Scoped:
    """A request the scoped caller sends about `area`'s record; 2xx for its own area, 403 or
    404 for the other (or, for a list, no row of the other area)."""

    service: str
    method: str
    caller: str
    build: Callable[[dict[str, Any], str], tuple[str, Any]]  # (records, station) -> url, json
    listing: Callable[[Any, str], bool] | None = None  # (answer, other station) -> leaks?
    own_ok: bool = True  # False: refused for its own area too (an officer, complaints about it)


def _gov(station: str) -> str:
    return station.split("-")[0]


SCOPED: dict[str, Scoped] = {
    "incidents GET /v1/incidents/{incident_id}": Scoped(
        "incidents", "GET", "officer", lambda r, s: (f"/v1/incidents/{r['incident'][s]}", None)
    ),
    "incidents POST /v1/incidents/{incident_id}/outcome": Scoped(
        "incidents",
        "POST",
        "officer",
        lambda r, s: (
            f"/v1/incidents/{r['incident'][s]}/outcome",
            {"outcome": "charged", "outcome_date": TODAY.isoformat()},
        ),
    ),
    "incidents POST /v1/incidents/{incident_id}/reclassify": Scoped(
        "incidents",
        "POST",
        "officer",
        lambda r, s: (
            f"/v1/incidents/{r['incident'][s]}/reclassify",
            {"offences": [{"iccs_code": "0501"}]},
        ),
    ),
    "incidents POST /v1/incidents": Scoped(
        "incidents",
        "POST",
        "officer",
        lambda r, s: (
            "/v1/incidents",
            {
                "station_id": s,
                "source_ref": f"scoped-{s}",
                "occurred_at": f"{LAST_MONDAY.isoformat()}T11:00:00+03:00",
                "offences": [{"iccs_code": "0502"}],
            },
        ),
    ),
    "incidents POST /v1/stations/{station_id}/periods/{week}/close": Scoped(
        "incidents",
        "POST",
        "officer",
        lambda r, s: (f"/v1/stations/{s}/periods/{WEEK}/close", None),
    ),
    "incidents GET /v1/incidents/uploads/{job_id}": Scoped(
        "incidents",
        "GET",
        "officer",
        lambda r, s: (f"/v1/incidents/uploads/{r['upload'][s]}", None),
    ),
    "incidents GET /v1/incidents/uploads/{job_id}/errors": Scoped(
        "incidents",
        "GET",
        "officer",
        lambda r, s: (f"/v1/incidents/uploads/{r['upload'][s]}/errors", None),
    ),
    "incidents GET /v1/incidents?station_id": Scoped(
        "incidents",
        "GET",
        "officer",
        lambda r, s: (f"/v1/incidents?station_id={s}", None),
        listing=lambda answer, other: any(row["station_id"] == other for row in answer),
    ),
    "incidents GET /v1/completeness": Scoped(
        "incidents",
        "GET",
        "officer",
        lambda r, s: ("/v1/completeness", None),
        listing=lambda answer, other: other in {row["station_id"] for row in answer["by_station"]},
    ),
    "analytics GET /v1/stats/crime?area": Scoped(
        "analytics", "GET", "officer", lambda r, s: (f"/v1/stats/crime?area={s}", None)
    ),
    **{
        f"analytics GET /v1/stats/{view}?area": Scoped(
            "analytics", "GET", "officer", lambda r, s, v=view: (f"/v1/stats/{v}?area={s}", None)
        )
        for view in ("outreach", "membership", "plans", "sara")
    },
    "analytics GET /v1/stats/scorecard/{station_id}": Scoped(
        "analytics", "GET", "officer", lambda r, s: (f"/v1/stats/scorecard/{s}", None)
    ),
    # a station commander evaluates their own station only (both areas)
    "analytics GET /v1/stats/evaluation?treated&comparison": Scoped(
        "analytics",
        "GET",
        "officer",
        lambda r, s: (
            f"/v1/stats/evaluation?treated={s}&comparison={s}&days=10"
            f"&start={(TODAY - timedelta(days=20)).isoformat()}",
            None,
        ),
    ),
    "analytics GET /v1/stats/accountability?area (officer)": Scoped(
        "analytics", "GET", "officer", lambda r, s: (f"/v1/stats/accountability?area={s}", None)
    ),
    "analytics GET /v1/stats/accountability?area (oversight)": Scoped(
        "analytics",
        "GET",
        "oversight",
        lambda r, s: (f"/v1/stats/accountability?area={_gov(s)}", None),
    ),
    # Never a complaint about their own station; others' only when filed at their counter.
    "complaints GET /v1/complaints/{complaint_id} (officer)": Scoped(
        "complaints",
        "GET",
        "officer",
        lambda r, s: (f"/v1/complaints/{r['complaint'][s]}", None),
        own_ok=False,
    ),
    "complaints GET /v1/complaints/{complaint_id} (oversight)": Scoped(
        "complaints",
        "GET",
        "oversight",
        lambda r, s: (f"/v1/complaints/{r['complaint'][s]}", None),
    ),
    "complaints GET /v1/complaints/{complaint_id}/timeline (oversight)": Scoped(
        "complaints",
        "GET",
        "oversight",
        lambda r, s: (f"/v1/complaints/{r['complaint'][s]}/timeline", None),
    ),
    "complaints GET /v1/complaints (officer)": Scoped(
        "complaints",
        "GET",
        "officer",
        lambda r, s: ("/v1/complaints", None),
        listing=lambda answer, other: _lists_complaint(answer, other),
    ),
    "complaints GET /v1/oversight/feed (oversight)": Scoped(
        "complaints",
        "GET",
        "oversight",
        lambda r, s: ("/v1/oversight/feed", None),
        listing=lambda answer, other: _lists_complaint(answer, other),
    ),
}


_OTHER_COMPLAINT: dict[str, str] = {}


def _lists_complaint(answer: Any, other: str) -> bool:
    text = str(answer)
    return _OTHER_COMPLAINT.get(other, "\x00") in text


@pytest.mark.slow
async def test_scope_own_and_other(world):
    platform, clients, records = world
    _OTHER_COMPLAINT[OTHER] = str(records["complaint"][OTHER])
    wrong: list[str] = []
    for name, check in SCOPED.items():
        client = clients[check.service]
        headers = _headers(platform, check.caller)
        for area in (OWN, OTHER):
            url, body = check.build(records, area)
            if body is None and check.method != "GET":
                response = await client.request(check.method, url, headers=headers)
            elif body is None:
                response = await client.get(url, headers=headers)
            else:
                response = await client.request(check.method, url, json=body, headers=headers)
            status = response.status_code
            if check.listing is not None:
                leaked = status < 300 and check.listing(response.json(), OTHER)
                ok = (status < 300 or (area == OTHER and status in (403, 404))) and not leaked
            elif area == OWN and check.own_ok:
                ok = 200 <= status < 300
            else:
                ok = status in (403, 404)
            if not ok:
                wrong.append(f"{name} [{area}]: {status} {response.text[:160]!r}")
    assert not wrong, f"{len(wrong)} scope failures:\n" + "\n".join(wrong)
