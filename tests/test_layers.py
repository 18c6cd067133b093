"""The layers hold: every project module sits on a floor of `.importlinter`, and no two modules
import each other, directly or round a loop (function-level imports included).

`lint-imports` (in `make lint` and `make test`) checks that imports only run down; these tests
catch what it cannot: a new module nobody placed on a floor, and a loop inside one floor.
"""

import configparser
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "pcn_admin",
    "networks",
    "roles",
    "reimbursement",
    "referrals",
    "evidence",
    "maturity",
    "development",
    "workforce",
    "dashboards",
)
# Loaded by Django or Celery by name, never imported by the project's own code.
UNPLACED = {"apps", "settings", "celery", "wsgi", "asgi"}


def _graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _project_modules(graph) -> set[str]:
    return {
        module
        for module in graph.modules
        if ".migrations" not in module and module.rsplit(".", 1)[-1] not in UNPLACED
    }


def _floors() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:floors"]["layers"]
    return [name.strip() for line in layers.splitlines() for name in line.split(":") if name]


def test_every_module_is_on_a_floor():
    floors = _floors()
    unplaced = sorted(
        module
        for module in _project_modules(_graph())
        if module not in PACKAGES
        and not any(module == floor or module.startswith(floor + ".") for floor in floors)
    )
    assert unplaced == [], f"Place these modules on a floor in .importlinter: {unplaced}"


def _loops(graph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops = []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return loops


def test_no_two_modules_import_each_other_round_a_loop():
    graph = _graph()
    # A package's __init__ that gathers its submodules is not a loop of concerns.
    modules = {m for m in _project_modules(graph) if m not in PACKAGES}
    assert _loops(graph, modules) == []
