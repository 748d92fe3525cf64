"""Kafka ACLs as the registry says: each service writes only the topics it produces, reads only
what it consumes (in its own consumer groups), owns its dead-letter topic; an oversight body
reads jisr.complaints.status.v1 and nothing else, in its own consumer group."""

from __future__ import annotations

import pytest

from libs.chassis.settings import SERVICES
from libs.contracts.topics import TOPICS, dead_letter_topic
from tests.deploy.support import OVERLAYS, named, of_kind, render

EXTERNAL_READER = "oversight"  # the registry's consumer name for oversight bodies


def grants(user: dict) -> set[tuple[str, str, str, str]]:
    """(operation, resource type, name, pattern) for every ACL of a KafkaUser."""
    acls = user["spec"]["authorization"]["acls"]
    return {
        (op, acl["resource"]["type"], acl["resource"]["name"], acl["resource"]["patternType"])
        for acl in acls
        for op in acl["operations"]
    }


def topics_with(grant_set, operation: str) -> set[str]:
    return {name for op, kind, name, _ in grant_set if op == operation and kind == "topic"}


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_a_service_writes_only_its_own_topics_and_reads_what_it_consumes(overlay, service):
    user = named(render(overlay), "KafkaUser", f"jisr-{service}")
    granted = grants(user)
    consumed = {t.name for t in TOPICS if service in t.consumers}
    dead_letters = {dead_letter_topic(service)} if consumed else set()

    assert (
        topics_with(granted, "Write")
        == {t.name for t in TOPICS if t.producer == service} | dead_letters
    )
    assert topics_with(granted, "Read") == consumed | dead_letters
    groups = {(name, pattern) for op, kind, name, pattern in granted if kind == "group"}
    assert groups == ({(f"jisr.{service}.", "prefix")} if consumed else set())
    assert {op for op, *_ in granted} <= {"Read", "Write", "Describe"}
    assert all("*" not in name for _, _, name, _ in granted), "no wildcard resources"
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_an_oversight_body_may_only_read_complaint_status_in_its_own_group(overlay):
    users = [
        u
        for u in of_kind(render(overlay), "KafkaUser")
        if "jisr.dev/oversight-body" in u["metadata"]["labels"]
    ]
    assert users, "at least one oversight body's KafkaUser"
    readable = {t.name for t in TOPICS if EXTERNAL_READER in t.consumers}
    assert readable == {"jisr.complaints.status.v1"}
    groups_seen = set()
    for user in users:
        body = user["metadata"]["labels"]["jisr.dev/oversight-body"]
        granted = grants(user)
        assert granted == {
            ("Read", "topic", "jisr.complaints.status.v1", "literal"),
            ("Describe", "topic", "jisr.complaints.status.v1", "literal"),
            ("Read", "group", f"oversight.{body}", "literal"),
        }
        groups_seen.add(f"oversight.{body}")
    assert len(groups_seen) == len(users), "every body has its own consumer group"


def test_every_kafka_user_belongs_to_the_jisr_cluster_and_acls_are_enforced():
    resources = render("prod")
    kafka = named(resources, "Kafka", "jisr")
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    for user in of_kind(resources, "KafkaUser"):
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "jisr"
        assert user["spec"]["authorization"]["type"] == "simple"
    listeners = {item["name"]: item for item in kafka["spec"]["kafka"]["listeners"]}
    authenticated = [n for n, item in listeners.items() if "authentication" in item]
    assert "external" in authenticated, "oversight bodies connect from outside, authenticated"
    # No listener lets anyone in unauthenticated, and nobody is a super user by default.
    assert set(authenticated) == set(listeners)
    assert "superUsers" not in kafka["spec"]["kafka"]["authorization"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_authenticates_as_its_own_kafka_user(overlay):
    resources = render(overlay)
    config = named(resources, "ConfigMap", "jisr-config")["data"]
    assert config["JISR_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["JISR_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    users = {u["metadata"]["name"]: u for u in of_kind(resources, "KafkaUser")}
    for service in SERVICES:
        [container] = named(resources, "Deployment", service)["spec"]["template"]["spec"][
            "containers"
        ]
        env = {e["name"]: e for e in container["env"]}
        assert env["JISR_KAFKA_USERNAME"]["value"] == f"jisr-{service}"
        secret = env["JISR_KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert secret == {"name": f"jisr-{service}", "key": "password"}  # Strimzi's user Secret
        assert users[f"jisr-{service}"]["spec"]["authentication"]["type"] == "scram-sha-512"
