"""deploy/ cannot drift from the contracts: the Strimzi topics and users and the compose topic
bootstrap are what `jisr deploy topics` generates from the topic registry, and they hold
exactly the registry's topics (plus one dead-letter topic per consuming service)."""

from __future__ import annotations

import shlex
import shutil

import yaml
from typer.testing import CliRunner

from jisr.cli import app
from jisr.commands import deploy
from libs.chassis.settings import SERVICES
from libs.contracts.topics import TOPICS, dead_letter_topic
from tests.deploy.support import DEPLOY

runner = CliRunner()


def expected_topics() -> dict[str, tuple[int, dict[str, str]]]:
    """name -> (partitions, config) straight from the registry."""
    topics = {t.name: (t.partitions, t.kafka_config()) for t in TOPICS}
    consumers = {c for t in TOPICS for c in t.consumers if c in SERVICES}
    topics |= {dead_letter_topic(c): (1, {}) for c in consumers}
    return topics


def test_committed_files_are_what_the_registry_generates():
    result = runner.invoke(app, ["deploy", "topics", "--check"])
    assert result.exit_code == 0, result.output


def test_check_fails_and_names_the_file_when_deploy_drifted(tmp_path):
    for relative in deploy.generated_topic_files():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEPLOY / relative, tmp_path / relative)
    topics = tmp_path / deploy.TOPICS_YAML
    topics.write_text(topics.read_text().replace("partitions: 6", "partitions: 3", 1))

    result = runner.invoke(app, ["deploy", "topics", "--check", "--deploy-dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "out of date: deploy/kubernetes/base/kafka/topics.yaml" in result.output
    fixed = runner.invoke(app, ["deploy", "topics", "--deploy-dir", str(tmp_path)])
    assert fixed.exit_code == 0, fixed.output
    assert (tmp_path / deploy.TOPICS_YAML).read_text() == (DEPLOY / deploy.TOPICS_YAML).read_text()


def test_strimzi_topics_equal_the_registry():
    docs = [d for d in yaml.safe_load_all((DEPLOY / deploy.TOPICS_YAML).read_text()) if d]
    found = {}
    for doc in docs:
        assert doc["kind"] == "KafkaTopic"
        assert doc["metadata"]["labels"]["strimzi.io/cluster"] == "jisr"
        spec = doc["spec"]
        assert spec["topicName"] == doc["metadata"]["name"]
        assert spec["replicas"] == 3, "three brokers, replication 3"
        config = dict(spec["config"])
        assert config.pop("min.insync.replicas") == "2"
        found[spec["topicName"]] = (spec["partitions"], config)
    assert found == expected_topics()


def test_compose_bootstrap_creates_exactly_the_registry_topics():
    script = (DEPLOY / deploy.COMPOSE_SCRIPT).read_text()
    created = {}
    for line in script.splitlines():
        if not line.startswith("create "):
            continue
        _, name, partitions, *options = shlex.split(line)
        assert options[::2] == ["--config"] * (len(options) // 2), line
        config = dict(option.split("=", 1) for option in options[1::2])
        created[name] = (int(partitions), config)
    assert created == expected_topics()
    assert '--topic "${JISR_TOPIC_PREFIX}${name}"' in script, "the services' prefix applies"
    assert (DEPLOY / deploy.COMPOSE_SCRIPT).stat().st_mode & 0o111, "the script is executable"
