"""deploy/compose.yaml parses and refers only to what exists: pinned images or the image built
from deploy/Dockerfile, files in deploy/, services of the same file, variables documented in
deploy/.env.example, and `jisr` commands the CLI has."""

from __future__ import annotations

import re

from libs.chassis.settings import DEFAULT_PORTS, SERVICES
from tests.deploy.support import DEPLOY, check_jisr_command, compose, jisr_containers

INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?:(:?[-?])[^}]*)?\}")
PINNED = re.compile(r"^[\w./-]+:(v?[0-9]+(\.[0-9]+)+[\w.-]*)$")


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def test_compose_parses_into_the_platform():
    services = compose()["services"]
    assert {"kafka", "kafka-topics", "postgres"} <= set(services)
    assert set(SERVICES) <= set(services)
    assert {f"migrate-{s}" for s in SERVICES} <= set(services)
    observability = {n for n, s in services.items() if "observability" in s.get("profiles", [])}
    assert observability == {"otel-collector", "jaeger", "prometheus"}


def test_images_are_pinned_or_built_from_the_dockerfile():
    for name, spec in compose()["services"].items():
        if "build" in spec:
            assert spec["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
            assert (DEPLOY.parent / spec["build"]["dockerfile"]).is_file()
        else:
            assert PINNED.match(spec["image"]), f"{name}: image {spec['image']!r} is not pinned"


def test_every_interpolated_variable_is_documented_in_env_example():
    lines = (DEPLOY / "compose.yaml").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    used = {m.group(1) for m in INTERPOLATION.finditer(text)}
    documented = set(env_example())
    assert used - documented == set(), "add them to deploy/.env.example"
    assert documented - used == set(), "deploy/.env.example names variables compose never uses"
    secrets = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) == ":?"}
    assert {"JISR_JWT_SECRET", "COMPLAINTS_PERSONAL_DATA_KEY", "JISR_LEDGER_SIGNING_KEY"} <= secrets
    assert all(env_example()[name] == "" for name in secrets - {"JISR_JWT_ISSUER"}), (
        "no secret value in the example file"
    )


def test_depends_on_and_mounted_files_exist():
    services = compose()["services"]
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"


def test_each_service_serves_after_its_migration_with_a_readiness_health_check():
    services = compose()["services"]
    for service in SERVICES:
        spec = services[service]
        assert spec["command"] == ["serve", service, "--port", str(DEFAULT_PORTS[service])]
        depends = spec["depends_on"]
        assert depends[f"migrate-{service}"] == {"condition": "service_completed_successfully"}
        assert depends["kafka-topics"] == {"condition": "service_completed_successfully"}
        assert depends["kafka"] == {"condition": "service_healthy"}
        check = " ".join(spec["healthcheck"]["test"])
        assert f"127.0.0.1:{DEFAULT_PORTS[service]}/readyz" in check
        migrate = services[f"migrate-{service}"]
        assert migrate["command"] == ["migrate", service]
        assert set(migrate["environment"]) == {f"JISR_{service.upper()}_DATABASE_URL"}


def test_jisr_containers_run_commands_the_cli_has():
    for name, spec in jisr_containers().items():
        assert check_jisr_command(spec["command"]) == [], name


def test_postgres_makes_one_database_and_role_per_service():
    init = (DEPLOY / "compose" / "postgres-init.sh").read_text()
    assert re.search(r"for service in (.+); do", init).group(1).split() == list(SERVICES)
    services = compose()["services"]
    for service in SERVICES:
        url = services[service]["environment"][f"JISR_{service.upper()}_DATABASE_URL"]
        assert url.startswith(f"postgresql://{service}:${{{service.upper()}_DB_PASSWORD}}@")
        assert url.endswith(f"@postgres:5432/{service}")


def test_kafka_runs_in_kraft_mode_without_topic_auto_creation():
    kafka = compose()["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "ZOOKEEPER" not in " ".join(kafka)
