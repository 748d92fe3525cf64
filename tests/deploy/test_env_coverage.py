"""Every environment variable a service reads is set for it, in compose and in both
Kubernetes overlays, and nothing sets a JISR_* variable that no code reads.

What "reads" means is derived from the code (tests/deploy/support.py, env_read_by): Settings
fields read by the chassis, the CLI or the service, JISR_* names looked up directly in libs/ or
the service, and the service's own database URL."""

from __future__ import annotations

import pytest

from libs.chassis.settings import SERVICES
from tests.deploy.support import (
    CLI_ONLY,
    NOT_FOR_SERVICES,
    OVERLAYS,
    cli_env_literals,
    compose,
    container_env_names,
    env_read_by,
    known_env,
    named,
    render,
    settings_env,
)


def test_the_scan_tells_services_apart():
    assert {"JISR_LEDGER_SIGNING_KEY", "JISR_COMPLAINTS_RULE_PACK"} <= env_read_by("complaints")
    assert "JISR_LEDGER_SIGNING_KEY" not in env_read_by("incidents")
    assert "JISR_PERSONAL_DATA_KEY" in env_read_by("fora")
    assert {"JISR_REFERENCE_DIR", "JISR_KAFKA_BOOTSTRAP"} <= env_read_by("analytics")


def test_every_variable_the_cli_reads_is_a_setting_or_cli_only():
    unexplained = cli_env_literals() - set(settings_env()) - set(CLI_ONLY)
    assert not unexplained, f"classify in tests/deploy/support.py: {sorted(unexplained)}"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_sets_every_variable_the_service_reads(service):
    environment = set(compose()["services"][service]["environment"])
    assert env_read_by(service) - environment == set()
    assert not environment & set(NOT_FOR_SERVICES)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_manifests_set_every_variable_the_service_reads(overlay, service):
    resources = render(overlay)
    deployment = named(resources, "Deployment", service)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    names = container_env_names(resources, container)
    assert env_read_by(service) - names == set()
    assert not names & set(NOT_FOR_SERVICES)


def test_nothing_sets_a_variable_no_code_reads():
    known = known_env()
    for name, spec in compose()["services"].items():
        if "build" in spec:
            unknown = {v for v in spec["environment"] if v.startswith("JISR_")} - known
            assert not unknown, f"compose {name}: {sorted(unknown)}"
    for overlay in OVERLAYS:
        resources = render(overlay)
        for kind in ("Deployment", "Job"):
            for workload in (r for r in resources if r["kind"] == kind):
                container = workload["spec"]["template"]["spec"]["containers"][0]
                unknown = container_env_names(resources, container) - known
                assert not unknown, f"{overlay} {workload['metadata']['name']}: {sorted(unknown)}"
