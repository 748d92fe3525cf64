"""NetworkPolicies: a jisr API pod reaches only DNS, Kafka, its own database, the identity
provider and the OTel collector (fora also the incidents API); a migration Job reaches only
DNS and its own database; each database accepts only its own service."""

from __future__ import annotations

import pytest

from libs.chassis.settings import SERVICES
from tests.deploy.support import OVERLAYS, named, of_kind, render

DNS = "ns:kubernetes.io/metadata.name=kube-system,pod:k8s-app=kube-dns ports:53/TCP,53/UDP"
KAFKA = "pod:strimzi.io/broker-role=true,strimzi.io/cluster=jisr ports:9094/TCP"
IDP = "ns:kubernetes.io/metadata.name=keycloak ports:443/TCP,8443/TCP"
OTEL = "ns:kubernetes.io/metadata.name=observability ports:4318/TCP"


def own_database(service: str) -> str:
    return f"pod:cnpg.io/cluster=jisr-{service}-db ports:5432/TCP"


def selects(policy: dict, labels: dict) -> bool:
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return all(labels.get(k) == v for k, v in wanted.items())


def describe(peer: dict, ports: list[dict]) -> str:
    parts = []
    for key, prefix in (("namespaceSelector", "ns"), ("podSelector", "pod")):
        if key in peer:
            labels = peer[key].get("matchLabels", {})
            parts.append(prefix + ":" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())))
    where = ",".join(parts) if parts else "anywhere"
    port_text = ",".join(sorted(f"{p['port']}/{p.get('protocol', 'TCP')}" for p in ports))
    return f"{where} ports:{port_text or 'all'}"


def egress_of(resources, labels: dict) -> set[str]:
    allowed, isolated = set(), False
    for policy in of_kind(resources, "NetworkPolicy"):
        if not selects(policy, labels) or "Egress" not in policy["spec"]["policyTypes"]:
            continue
        isolated = True
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", [{}]):
                allowed.add(describe(peer, rule.get("ports", [])))
    assert isolated, f"pods {labels} are not egress-isolated"
    return allowed


def pod_labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reaches_only_kafka_its_database_and_the_identity_provider(overlay, service):
    resources = render(overlay)
    labels = pod_labels(named(resources, "Deployment", service))
    expected = {DNS, KAFKA, IDP, OTEL, own_database(service)}
    if service == "fora":  # fora asks the incidents API for baselines (JISR_INCIDENTS_URL)
        expected.add(
            "pod:app.kubernetes.io/component=api,app.kubernetes.io/name=incidents ports:8003/TCP"
        )
    assert egress_of(resources, labels) == expected


@pytest.mark.parametrize("service", SERVICES)
def test_a_migration_job_reaches_only_its_database(service):
    resources = render("prod")
    labels = pod_labels(named(resources, "Job", f"{service}-migrate"))
    assert egress_of(resources, labels) == {DNS, own_database(service)}


@pytest.mark.parametrize("service", SERVICES)
def test_a_database_accepts_only_its_own_service_its_replicas_and_the_operator(service):
    resources = render("prod")
    policy = named(resources, "NetworkPolicy", f"jisr-{service}-db-ingress")
    assert policy["spec"]["podSelector"]["matchLabels"] == {"cnpg.io/cluster": f"jisr-{service}-db"}
    sources = {
        describe(peer, rule.get("ports", []))
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    }
    assert sources == {
        f"pod:app.kubernetes.io/part-of=jisr,jisr.dev/service={service} ports:5432/TCP",
        f"pod:cnpg.io/cluster=jisr-{service}-db ports:all",
        "ns:kubernetes.io/metadata.name=cnpg-system ports:all",
    }


def test_every_jisr_pod_is_isolated_by_default():
    policy = named(render("prod"), "NetworkPolicy", "jisr-default-deny")
    assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "jisr"}}
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]
