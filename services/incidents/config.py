"""What a deployment tunes in the incidents service: its baseline rule pack.

The rule pack is a country's choice of the method its alerts are evaluated with (a name from
the registry in domain/baseline_methods.py). It is a JSON file named by
JISR_INCIDENTS_BASELINE_PACK, e.g. {"alert_method": "stroup_1989"}; without it the default
pack evaluates alerts with noufaily_2013. `jisr` prints the methods with
`GET /v1/baselines/methods`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .domain.baseline_methods import DEFAULT_METHOD, Method, resolve

BASELINE_PACK_ENV = "JISR_INCIDENTS_BASELINE_PACK"


@dataclass(frozen=True)
class BaselinePack:
    alert_method: Method = DEFAULT_METHOD
    # how often the job looks for closed weeks whose counts changed
    recheck_seconds: float = 1.0

    @classmethod
    def from_json(cls, text: str) -> BaselinePack:
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) - {"alert_method", "recheck_seconds"}:
            raise ValueError("baseline pack: only 'alert_method' and 'recheck_seconds' are read")
        return cls(
            alert_method=resolve(str(data.get("alert_method", DEFAULT_METHOD))),
            recheck_seconds=float(data.get("recheck_seconds", 1.0)),
        )


def load_pack(path: str | None) -> BaselinePack:
    """The country's baseline pack from a JSON file, or the default one."""
    return BaselinePack.from_json(Path(path).read_text()) if path else BaselinePack()


@lru_cache(maxsize=1)
def baseline_pack() -> BaselinePack:
    return load_pack(os.environ.get(BASELINE_PACK_ENV))
