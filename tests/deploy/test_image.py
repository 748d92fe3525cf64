"""The image, checked without a Docker engine: a pinned base, a non-root user, dependencies
only from deploy/requirements.lock (which holds the runtime closure and nothing for tests), and
`jisr` as the command."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.support import DEPLOY, REPO, named, render

TEST_ONLY = {"pytest", "pytest-asyncio", "import-linter", "ruff", "statsmodels", "playwright"}
TEST_ONLY |= {"kubernetes-validate"}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def lock() -> dict[str, str]:
    pins = {}
    for line in (DEPLOY / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_base_images_are_pinned_to_an_exact_version():
    args = dict(arg.split("=", 1) for kind, arg in instructions() if kind == "ARG" and "=" in arg)
    bases = [arg.split()[0] for kind, arg in instructions() if kind == "FROM"]
    assert bases
    for base in bases:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
        assert re.fullmatch(r"[\w./-]+:[0-9]+\.[0-9]+\.[0-9]+[\w.-]*|[\w./-]+@sha256:\w+", image)


def test_the_image_runs_jisr_as_a_non_root_user():
    final_stage = instructions()[
        max(i for i, (kind, _) in enumerate(instructions()) if kind == "FROM") :
    ]
    users = [arg for kind, arg in final_stage if kind == "USER"]
    assert users, "the final stage sets USER"
    uid = users[-1].split(":")[0]
    assert uid not in ("0", "root")
    entrypoint = [json.loads(arg) for kind, arg in final_stage if kind == "ENTRYPOINT"]
    assert entrypoint == [["jisr"]]
    # The manifests run the same uid the image declares.
    deployment = named(render("prod"), "Deployment", "incidents")
    assert str(deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"]) == uid


def test_dependencies_come_only_from_the_lock_and_every_copied_path_exists():
    steps = instructions()
    copies = [arg.split() for kind, arg in steps if kind == "COPY" and "--from" not in arg]
    sources = [source for *paths, _ in copies for source in paths]
    assert "deploy/requirements.lock" in sources
    for source in sources:
        assert (REPO / source).exists(), source
    installs = [arg for kind, arg in steps if kind == "RUN" and "pip install" in arg]
    assert installs, "pip installs something"
    for command in installs:
        assert "--no-deps" in command, f"everything pinned by the lock: {command}"
    assert any("-r /tmp/lock/requirements.lock" in command for command in installs)
    # The build context is an allowlist: every copied path is inside an `!entry`.
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    allowed = [line[1:].rstrip("/") for line in ignore if line.startswith("!")]
    for source in sources:
        assert any(source == a or source.startswith(f"{a}/") for a in allowed), source


def test_the_lock_pins_every_runtime_dependency_within_pyproject_and_no_test_tool():
    pins = lock()
    for text in pyproject()["project"]["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} missing from deploy/requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    assert not {canonicalize_name(n) for n in TEST_ONLY} & set(pins)
    assert "jisr" not in pins


def test_the_lock_is_closed_where_it_matches_the_virtualenv():
    """Where a locked version is the installed one, its own requirements are locked too (run
    `jisr deploy lock --check` for the exact comparison with this virtualenv)."""
    pins = lock()
    missing = set()
    for name, version in pins.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(requirement.name) not in pins:
                missing.add(f"{requirement.name} (needed by {name})")
    assert not missing, sorted(missing)


def test_the_build_backend_is_pinned_within_pyproject():
    wanted = [Requirement(r) for r in pyproject()["build-system"]["requires"]]
    lines = (DEPLOY / "build-constraints.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    for requirement in wanted:
        assert requirement.specifier.contains(pins[requirement.name]), requirement
