"""The Kustomize overlays render with `kubectl kustomize`, their core resources pass the
Kubernetes schemas (kubernetes-validate), and they say what the runbook promises: probes,
resources, autoscalers, disruption budgets, migration Jobs, secrets by reference, network
policies, a three-broker Kafka in KRaft and one backed-up PostgreSQL cluster per service."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from libs.chassis.settings import DEFAULT_PORTS, SERVICES
from tests.deploy.support import (
    CORE_API_GROUPS,
    DEPLOY,
    OVERLAYS,
    check_jisr_command,
    named,
    of_kind,
    render,
)

# The oldest Kubernetes the manifests are meant for, and the newest the validator knows.
K8S_VERSIONS = ("1.30", kubernetes_validate.utils.latest_version())


def api_deployments(resources) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in of_kind(resources, "Deployment")}


def only_container(workload: dict) -> dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_every_kind_it_needs(overlay):
    kinds = {r["kind"] for r in render(overlay)}
    needed = {"Namespace", "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler"}
    needed |= {"PodDisruptionBudget", "NetworkPolicy", "Job", "Kafka", "KafkaNodePool"}
    needed |= {"KafkaTopic", "KafkaUser", "Cluster"}
    assert needed <= kinds, needed - kinds
    assert "Secret" not in kinds, "secrets are referenced, never written into the manifests"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_resources_pass_schema_validation(overlay, version):
    core = [r for r in render(overlay) if r["apiVersion"] in CORE_API_GROUPS]
    assert len(core) > 30
    problems = []
    for resource in core:
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{resource['kind']} {resource['metadata']['name']}: {exc.message}")
    assert not problems, "\n".join(problems)


def test_the_validator_rejects_a_broken_deployment():
    """The schema check has teeth: a misspelt field fails it."""
    deployment = dict(api_deployments(render("prod"))["incidents"])
    deployment["spec"] = {**deployment["spec"], "replica": 3}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_with_probes_resources_autoscaler_and_budget(overlay, service):
    resources = render(overlay)
    deployment = api_deployments(resources)[service]
    container = only_container(deployment)
    port = DEFAULT_PORTS[service]

    assert container["args"][:2] == ["serve", service]
    assert check_jisr_command(container["args"]) == []
    assert container["ports"] == [
        {"name": "http", "containerPort": port, "protocol": "TCP"},
        # /metrics on their own port (JISR_METRICS_PORT), open to the observability namespace
        {"name": "metrics", "containerPort": 9464, "protocol": "TCP"},
    ]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    tag = container["image"].rpartition(":")[2]
    assert tag and tag != "latest" and "/" not in tag, "an image with an explicit tag"
    if overlay == "prod":
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", tag), "prod runs a released version"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True

    hpa = named(resources, "HorizontalPodAutoscaler", service)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": service,
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert named(resources, "PodDisruptionBudget", service)["spec"]["selector"] == {
        "matchLabels": selector
    }
    svc = named(resources, "Service", service)
    assert svc["spec"]["selector"] == selector
    assert svc["spec"]["ports"][0]["port"] == port


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_migration_job_with_only_its_database(overlay, service):
    job = named(render(overlay), "Job", f"{service}-migrate")
    container = only_container(job)
    assert container["args"] == ["migrate", service]
    assert check_jisr_command(container["args"]) == []
    assert container["env"] == [
        {
            "name": f"JISR_{service.upper()}_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": f"jisr-{service}-db-app", "key": "uri"}},
        }
    ]
    assert "envFrom" not in container


def secret_refs(resources) -> set[str]:
    """Every Secret a workload or a CloudNativePG cluster refers to."""
    names = set()

    def walk(node):
        if isinstance(node, dict):
            for key in ("secretKeyRef", "accessKeyId", "secretAccessKey"):
                if key in node and isinstance(node[key], dict):
                    names.add(node[key]["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(list(resources))
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_referenced_secret_is_made_by_an_operator_or_by_the_runbook(overlay):
    resources = render(overlay)
    by_operator = {f"{c['metadata']['name']}-app" for c in of_kind(resources, "Cluster")}
    by_operator |= {u["metadata"]["name"] for u in of_kind(resources, "KafkaUser")}  # Strimzi
    runbook = (DEPLOY / "README.md").read_text()
    created_in_runbook = set(re.findall(r"kubectl -n jisr create secret generic ([\w-]+)", runbook))
    missing = secret_refs(resources) - by_operator - created_in_runbook
    assert not missing, f"secrets nobody creates: {sorted(missing)}"


def test_the_topic_prefix_is_empty_because_topics_and_acls_are_generated_without_one():
    for overlay in OVERLAYS:
        config = named(render(overlay), "ConfigMap", "jisr-config")["data"]
        assert config["JISR_TOPIC_PREFIX"] == ""
        assert config["JISR_KAFKA_BOOTSTRAP"] == "jisr-kafka-bootstrap:9094"  # SCRAM over TLS


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_is_three_kraft_brokers_with_replication_three_and_min_isr_two(overlay):
    resources = render(overlay)
    kafka = named(resources, "Kafka", "jisr")
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert kafka["metadata"]["annotations"]["strimzi.io/node-pools"] == "enabled"
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["auto.create.topics.enable"] is False
    pools = {p["metadata"]["name"]: p["spec"] for p in of_kind(resources, "KafkaNodePool")}
    assert pools["broker"]["roles"] == ["broker"] and pools["broker"]["replicas"] == 3
    assert pools["controller"]["roles"] == ["controller"] and pools["controller"]["replicas"] == 3
    for topic in of_kind(resources, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == "2"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_postgres_cluster_backed_up_in_prod(service):
    resources = render("prod")
    cluster = named(resources, "Cluster", f"jisr-{service}-db")["spec"]
    assert cluster["bootstrap"]["initdb"] == {"database": service, "owner": service}
    assert cluster["instances"] >= 3
    backup = cluster["backup"]
    assert backup["retentionPolicy"]
    store = backup["barmanObjectStore"]
    assert store["destinationPath"].endswith(f"/{service}")
    assert store["wal"]["compression"]
    scheduled = [
        s
        for s in of_kind(resources, "ScheduledBackup")
        if s["spec"]["cluster"]["name"] == f"jisr-{service}-db"
    ]
    assert len(scheduled) == 1 and scheduled[0]["spec"]["method"] == "barmanObjectStore"
    env = {e["name"]: e for e in only_container(api_deployments(resources)[service])["env"]}
    ref = env[f"JISR_{service.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": f"jisr-{service}-db-app", "key": "uri"}
