"""The runbook (deploy/README.md) covers what the deploy issue asks, and every `jisr ...`
command in it, in code blocks or inline, is one the CLI actually has."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.deploy.support import DEPLOY, check_jisr_command

RUNBOOK = DEPLOY / "README.md"
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "2>&1", ")", "\\"}
COMMAND_POSITION = {"--", "&&", "||", ";", "|", "then", "do", "$("}
SECTIONS = (
    "Building the image",
    "First install — one host",
    "First install — Kubernetes",
    "Upgrading (with migrations)",
    "Scaling",
    "Adding a station",
    "Adding an oversight body",
    "Key rotation",
    "Backup and restore",
    "Rebuilding the topics after losing the Kafka cluster",
    "Traces and metrics",
)


def snippets(text: str) -> list[str]:
    """Lines of shell code blocks (continuations joined) and inline code spans of the prose."""
    shell, prose, fence = [], [], None
    for line in text.splitlines():
        marker = line.strip()
        if marker.startswith("```"):
            fence = None if fence is not None else marker[3:].strip()
        elif fence is None:
            prose.append(line)
        elif fence in ("", "sh", "bash", "shell"):
            shell.append(line)
    joined = "\n".join(shell).replace("\\\n", " ").splitlines()
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", "\n".join(prose))]
    return [line for line in joined + spans if not line.lstrip().startswith("#")]


def jisr_commands(line: str) -> list[list[str]]:
    """Each `jisr ...` invocation in a shell line: at the start, after `--`, a shell operator,
    `$(` or `VAR=value`, or as the command of `docker compose exec <service>`."""
    try:
        tokens = shlex.split(line.replace("$(", "$( "), comments=True)
    except ValueError:
        return []
    commands = []
    for i, token in enumerate(tokens):
        if token != "jisr":
            continue
        before = tokens[i - 1] if i else None
        at_command = (
            i == 0
            or before in COMMAND_POSITION
            or re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", before or "")
            or (i >= 2 and tokens[i - 2] == "exec" and not before.startswith("-"))
        )
        if not at_command:
            continue
        argv = []
        for word in tokens[i + 1 :]:
            if word in SHELL_BREAKS:
                break
            argv.append(word)
        if argv:  # a bare `jisr` names the program, it runs nothing
            commands.append(argv)
    return commands


def runbook_commands() -> list[list[str]]:
    return [argv for line in snippets(RUNBOOK.read_text()) for argv in jisr_commands(line)]


def test_the_parser_finds_commands_where_operators_type_them():
    found = jisr_commands("kubectl -n jisr exec deploy/fora -- jisr outbox replay --service fora")
    assert found == [["outbox", "replay", "--service", "fora"]]
    assert jisr_commands("docker compose exec incidents jisr dlq list --service analytics") == [
        ["dlq", "list", "--service", "analytics"]
    ]
    assert jisr_commands("kubectl -n jisr get pods") == []
    assert check_jisr_command(["topics", "create"]) == ["`jisr` has no command 'topics'"]
    assert check_jisr_command(["outbox", "replay", "--service", "nope"]) != []


def test_the_runbook_uses_the_commands_the_issue_names():
    used = {" ".join(argv[:2]) for argv in runbook_commands()}
    expected = {"serve <service>", "migrate <service>", "outbox replay", "analytics rebuild"}
    expected |= {"deploy topics", "deploy lock", "dlq list", "dlq replay", "ledger verify"}
    assert expected <= used, expected - used


@pytest.mark.parametrize("argv", runbook_commands(), ids=" ".join)
def test_every_jisr_command_in_the_runbook_exists(argv):
    assert check_jisr_command(argv) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_the_runbook_has_a_section_for(section):
    headings = re.findall(r"^#{2,3} (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    assert any(h.startswith(section) for h in headings), f"no heading {section!r}"


def test_key_rotation_covers_every_key_with_the_commands_that_do_it():
    text = RUNBOOK.read_text()
    rotation = text[text.index("## Key rotation") : text.index("## Backup and restore")]
    for key in ("JISR_JWT_JWKS_URL", "JISR_LEDGER_SIGNING_KEY", "JISR_PERSONAL_DATA_KEY"):
        assert key in rotation
    assert "JISR_PSEUDONYM_KEY" in rotation  # and why it is not rotated
    commands = {" ".join(argv[:2]) for line in snippets(rotation) for argv in jisr_commands(line)}
    assert {"keys rewrap", "keys status"} <= commands
