"""Architecture rules, read from the import statements (scripts/import_cycles.py parses
every module with ast, lazy imports inside functions included)."""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "import_cycles.py"
FEATURES = ("workshops", "exchange", "projects", "privacy", "api")


def _script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph():
    return _script().collect()


def _top(module: str) -> str:
    return module.split(".")[0]


def test_no_circle_between_services_tasks_and_reminders(graph):
    """Tasks call services; services queue tasks by name on commit
    (clamtex.core.queue.send_task) and import nothing that imports them back. members and
    clamtex.core are in no circle at all."""
    for component in _script().cycles(graph):
        for module in component:
            last = module.rpartition(".")[2]
            assert last not in {"services", "tasks", "reminders"}, component
            assert not module.startswith(("members", "clamtex.core")), component


def test_the_circles_named_in_issue_10_are_gone(graph):
    named = {
        "notifications.services",
        "notifications.tasks",
        "notifications.reminders",
        "exchange.placements.services",
        "exchange.placements.reminders",
        "projects.services",
        "projects.tasks",
    }
    assert named <= set(graph), named - set(graph)  # the modules still exist under these names
    in_circles = {m for component in _script().cycles(graph) for m in component}
    assert not named & in_circles


def test_the_checker_sees_a_lazy_import_circle(tmp_path, monkeypatch):
    script = _script()
    graph = {"a.services": {"a.tasks"}, "a.tasks": {"a.services"}, "a.models": set()}
    assert script.cycles(graph) == [["a.services", "a.tasks"]]

    # and collect() finds an import written inside a function
    package = tmp_path / "demoapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def go():\n    from . import tasks\n")
    (package / "tasks.py").write_text("from .services import go\n")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    monkeypatch.setattr(script, "PACKAGES", ("demoapp",))
    assert script.cycles(script.collect()) == [["demoapp.services", "demoapp.tasks"]]


def test_members_imports_no_feature_app(graph):
    """members is the base every feature builds on; the demo orchestration that knows every
    feature lives in clamtex/core/demo.py."""
    crossing = {
        (module, target)
        for module, targets in graph.items()
        if _top(module) == "members"
        for target in targets
        if _top(target) in FEATURES
    }
    assert crossing == set()


def test_features_read_each_other_only_through_models_and_selectors(graph):
    """Shared mechanisms (upload checks: clamtex.core.uploads, exports, the demo) live in
    clamtex/core; between workshops, exchange and projects only reads cross over."""
    apps = ("workshops", "exchange", "projects")
    crossing = {
        (module, target)
        for module, targets in graph.items()
        if _top(module) in apps
        for target in targets
        if _top(target) in apps
        and _top(target) != _top(module)
        and target.rpartition(".")[2] not in {"models", "selectors"}
    }
    assert crossing == set()
    assert "clamtex.core.uploads" in graph["projects.services"]
    assert "clamtex.core.uploads" in graph["exchange.placements.services"]


def _private_imports():
    """(file, module, name) for every `from <other package> import _private`."""
    script = _script()
    found = []
    for package in script.PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                if _top(node.module) == _top(here):
                    continue  # inside one app, its private names are its own business
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append((str(path.relative_to(ROOT)), node.module, alias.name))
    return found


def test_no_module_imports_a_private_name_of_another_app():
    """projects/reports.py uses clamtex.core.exports.safe_cell, not a private `_safe`."""
    assert _private_imports() == []
