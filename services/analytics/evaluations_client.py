"""A programme's before/after statistics from the incidents service's public API
(`GET /v1/evaluations/before-after`: the WDD of Wheeler & Ratcliffe 2018 and the Poisson
E-test), asked server-side over the same pooled client and short-lived service token as the
expected band (baselines_client). When incidents cannot answer, the page says why and still
shows analytics' own counts.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request

from libs.chassis.service_api import ServiceApi, ServiceRejected, ServiceUnavailable

from .baselines_client import baselines_client
from .domain.evaluation import Evaluation
from .evaluation.view import EvaluationUnavailable, FetchEvaluation

PATH = "/v1/evaluations/before-after"


async def before_after(api: ServiceApi, chosen: Evaluation) -> dict[str, Any]:
    params = {
        "treated": chosen.treated,
        "comparison": chosen.comparison,
        "before_from": chosen.before.first.isoformat(),
        "before_to": chosen.before.last.isoformat(),
        "after_from": chosen.after.first.isoformat(),
        "after_to": chosen.after.last.isoformat(),
    }
    if chosen.category:
        params["category"] = chosen.category
    try:
        answer: dict[str, Any] = await api.get_json(PATH, params)
    except (ServiceUnavailable, ServiceRejected) as exc:
        raise EvaluationUnavailable(str(exc)) from exc
    return answer


def evaluations_fetch(request: Request) -> FetchEvaluation:
    """The app's incidents client (one per app and target, shared with the expected band)."""
    return partial(before_after, baselines_client(request))
