import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cycles.py"


def _script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_circle_between_services_tasks_and_reminders():
    script = _script()
    graph = script.collect()
    checked = ("notifications", "projects.services", "projects.tasks", "members")
    for component in script.cycles(graph):
        assert not any(m.startswith(checked) for m in component), component


def test_the_checker_sees_a_lazy_import_circle():
    script = _script()
    graph = {"a.services": {"a.tasks"}, "a.tasks": {"a.services"}, "a.models": set()}
    assert script.cycles(graph) == [["a.services", "a.tasks"]]


def test_members_imports_no_feature_app():
    graph = _script().collect()
    features = ("workshops", "exchange", "projects")
    crossing = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("members")
        for target in targets
        if target.startswith(features)
    }
    assert crossing == set()
