"""The layers, read from the imports of every module (the same ones the interpreter sees,
inside functions and `imports_passed_through` blocks too):

- workflows import only temporalio, the standard library, pydantic, the contracts in `models/`,
  the pure `sla/` modules and each other — never SQLAlchemy, HTTP or the API;
- the request workflow's pure parts (timeline, held notices) do not even import temporalio;
- `models/` and `sla/` do no I/O: no database, network, process or Temporal client;
- nothing outside `api/` imports `api` (tests may, they drive it);
- the worker, with everything it imports, never loads FastAPI.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "var", "node_modules", "__pycache__"}
#: Modules that read or write the world; `models/` and `sla/` import none of them.
IO = {
    "sqlalchemy",
    "psycopg2",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "smtplib",
    "socket",
    "subprocess",
    "urllib.request",
    "http.client",
    "temporalio.client",
    "temporalio.worker",
    "temporalio.service",
    "temporalio.testing",
    "weasyprint",
}
WEB = {"fastapi", "starlette", "uvicorn"}


def modules() -> Iterator[Path]:
    for path in ROOT.rglob("*.py"):
        if not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path


def name_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project() -> dict[str, Path]:
    return {name_of(path): path for path in modules()}


@cache
def imports(name: str) -> frozenset[str]:
    """The absolute modules `name` imports (a `from package import module` counts as both)."""
    found: set[str] = set()
    tree = ast.parse(project()[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {
                f"{node.module}.{a.name}"
                for a in node.names
                if f"{node.module}.{a.name}" in project()
            }
    return frozenset(found)


def top(module: str) -> str:
    return module.split(".")[0]


def within(module: str, prefixes: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def in_package(package: str) -> list[str]:
    return sorted(n for n in project() if n == package or n.startswith(package + "."))


def violations(package: str, allowed: set[str]) -> list[str]:
    return [
        f"{name} imports {module}"
        for name in in_package(package)
        for module in sorted(imports(name))
        if top(module) not in sys.stdlib_module_names and not within(module, allowed)
    ]


def test_workflows_import_only_temporalio_the_standard_library_and_the_contracts():
    allowed = {"temporalio", "pydantic", "models", "sla", "workflows"}
    assert violations("workflows", allowed) == []
    for name in in_package("workflows"):
        forbidden = [m for m in imports(name) if within(m, IO)]
        assert forbidden == [], name


def test_the_request_workflows_pure_parts_need_no_temporal():
    for name in ("workflows.service_request.timeline", "workflows.service_request.held_notices"):
        assert violations(name, {"models"}) == []


def test_models_and_sla_do_no_io():
    assert violations("models", {"models", "pydantic", "temporalio.common"}) == []
    assert violations("sla", {"models", "sla", "holidays", "icalendar"}) == []
    for package in ("models", "sla"):
        for name in in_package(package):
            assert [m for m in imports(name) if within(m, IO)] == [], name


def test_nothing_outside_the_api_imports_it():
    outside = [n for n in project() if top(n) not in ("api", "tests")]
    assert outside, "no modules found"
    found = [f"{n} imports {m}" for n in outside for m in imports(n) if top(m) == "api"]
    assert found == []


def test_the_worker_never_loads_the_web_framework():
    seen: set[str] = set()
    pending = ["worker"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for module in imports(name):
            assert not within(module, WEB), f"the worker loads {module} through {name}"
            # a project module, or the package a `from package import name` came from
            pending += [m for m in (module, module.rsplit(".", 1)[0]) if m in project()]
    assert "activities.records" in seen and "workflows.service_request.workflow" in seen


#: What code that workflows run may not touch: the worker runs them without the sandbox
#: (`worker.RUNNER`), so this test refuses it instead.
UNSTEADY = {
    "random",
    "time",
    "uuid",
    "os",
    "threading",
    "socket",
    "subprocess",
    "secrets",
}
CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
}


#: Every package whose code runs inside a workflow.
WORKFLOW_CODE = ("workflows", "models", "sla")


def test_workflow_code_reads_no_clock_randomness_or_files():
    found: list[str] = []
    for name in [m for package in WORKFLOW_CODE for m in in_package(package)]:
        tree = ast.parse(project()[name].read_text(encoding="utf-8"))
        found += [f"{name} imports {m}" for m in imports(name) if top(m) in UNSTEADY]
        for node in ast.walk(tree):
            pair = _name_attr(node)
            if pair in CLOCK_CALLS:
                found.append(f"{name} reads the clock: {'.'.join(pair)} (use workflow.now())")
            called = (
                node.func.id
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                else None
            )
            if called in {"open", "input", "print"}:
                found.append(f"{name} calls {called}()")
            if isinstance(node, ast.Global):
                found.append(f"{name} writes a module global: {', '.join(node.names)}")
    assert found == []


def _name_attr(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def test_every_package_a_workflow_runs_is_checked():
    """A workflow module that imports project code from outside `WORKFLOW_CODE` would run it
    unchecked (activities are called by name, never imported)."""
    outside = {
        f"{name} imports {module}"
        for name in in_package("workflows")
        for module in imports(name)
        if module in project() and top(module) not in WORKFLOW_CODE
    }
    assert outside == set()