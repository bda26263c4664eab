"""The arrows between the apps (STYLE.md, "Where a rule lives"), read from the source
with `ast`: no domain app imports another sideways, `portal` imports no domain app, and
the device services never import `devices.tasks` (tasks call services, services queue
tasks by name through `devices.jobs`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {"appstore", "procurement", "training", "devices"}
# What each package must never import (sideways or upwards).
FORBIDDEN = {
    "devices": {"appstore", "procurement", "training"},
    "appstore": {"devices", "procurement", "training"},
    "portal": DOMAIN_APPS,
}
SERVICE_MODULES = ["devices/services", "devices/importing.py", "devices/jobs.py"]


def _modules(top: str) -> list[Path]:
    path = ROOT / top
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def _imports(path: Path, *, module_level_only: bool = False) -> set[str]:
    """The absolute module names a file imports (every `import` and `from` in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if module_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_app_imports_another_sideways(package):
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    }
    assert not found, sorted(found)


def test_the_device_services_never_import_the_tasks():
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for top in SERVICE_MODULES
        for path in _modules(top)
        for name in _imports(path)
        if name == "devices.tasks" or name.startswith("devices.tasks.")
    }
    assert not found, sorted(found)


def test_the_device_tasks_call_services_and_import_no_task_module_of_their_own():
    imported = _imports(ROOT / "devices/tasks.py", module_level_only=True)
    assert "devices.services" in imported or "devices.services.make_photo_thumbnail" in imported
    assert "devices.jobs" not in imported


def test_the_checker_sees_a_sideways_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from appstore.api.serializers import EventSerializer\n")
    assert "appstore.api.serializers" in _imports(module)
    assert "appstore.api.serializers" not in _imports(module, module_level_only=True)
