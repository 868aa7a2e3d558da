"""The deployment files must keep describing the code: same variables, same entry points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Read from config.py's source so a new setting shows up here without editing this test.
ENV_READ = re.compile(r"""env(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']""")
# DEMO_KEYS_PATH: only the setup service writes it, to its default. The SMTP login: secrets,
# given by an override file when the relay wants one.
OPTIONAL_IN_COMPOSE = {"DEMO_KEYS_PATH", "SMTP_USER", "SMTP_PASSWORD"}


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(read("docker-compose.yml"))
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def command(service: dict[str, Any]) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def config_variables() -> set[str]:
    names = set(ENV_READ.findall(read("config.py")))
    assert {"TEMPORAL_ADDRESS", "DATABASE_URL"} <= names, "config.py no longer parses as expected"
    return names


def test_compose_has_the_whole_stack(services: dict[str, Any]) -> None:
    expected = {"postgres", "temporal", "temporal-ui", "setup", "worker", "api"}
    assert expected <= services.keys()


@pytest.mark.parametrize("name", ["setup", "worker", "api"])
def test_app_services_get_every_setting(services: dict[str, Any], name: str) -> None:
    missing = config_variables() - OPTIONAL_IN_COMPOSE - environment(services[name]).keys()
    assert not missing, f"{name} lacks {sorted(missing)} (read by config.Settings.from_env)"


def test_entry_points(services: dict[str, Any]) -> None:
    assert "worker.py" in command(services["worker"])
    assert "uvicorn api.app:app" in command(services["api"])
    setup = command(services["setup"])
    assert "manage.py setup --demo" in setup
    assert "manage.py register-search-attributes" in setup


def test_database_url_points_at_the_database_postgres_creates(services: dict[str, Any]) -> None:
    postgres = environment(services["postgres"])
    for name in ("worker", "api"):
        url = urlsplit(environment(services[name])["DATABASE_URL"])
        assert url.scheme.startswith("postgresql")
        assert url.hostname == "postgres"
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
        assert (url.username, url.password) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
        )


def test_dockerfile_uses_python_311() -> None:
    base = re.search(r"^FROM\s+(\S+)", read("Dockerfile"), re.MULTILINE)
    assert base is not None
    assert base.group(1).startswith("python:3.11")


def test_ci_runs_the_readme_test_command_against_postgres() -> None:
    ci = read(".ci/run")
    assert re.search(r"^\s*make test\s*$", ci, re.MULTILINE)
    assert re.search(r"""^\s*export TEST_DATABASE_URL=["']?postgresql""", ci, re.MULTILINE)


def test_makefile_has_the_readme_targets() -> None:
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", read("Makefile"), re.MULTILINE))
    assert {"run", "test"} <= targets


def test_every_package_is_installed() -> None:
    """`pip install .` (the Docker image) ships only the packages pyproject lists."""
    import tomllib

    listed = set(tomllib.loads(read("pyproject.toml"))["tool"]["setuptools"]["packages"])
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert on_disk <= listed, f"not in [tool.setuptools] packages: {sorted(on_disk - listed)}"
