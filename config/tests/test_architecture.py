"""The layout's rules, checked on the code itself: no import loop between product modules, the
arrows point one way (config → integrations → appeals → accounts → events), and modules and functions
stay small."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "appeals", "config", "events", "integrations"]
# The direction of every import between the apps: a key may import the apps in its value, no others.
MAY_IMPORT = {"config": {"accounts", "appeals", "config", "events", "integrations"},
              "integrations": {"integrations", "appeals", "accounts", "events"},
              "appeals": {"accounts", "appeals", "events"}, "accounts": {"accounts", "events"},
              "events": {"events"}}


def product_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in product_files()}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _with_packages(target: str, importer: str) -> set[str]:
    """Importing a.b.c runs a, a.b and a.b.c: all are edges (those that are product modules), except
    the importer's own packages, which Python has initialised before the importer runs."""
    parts = target.split(".")
    own = {importer.rsplit(".", i)[0] for i in range(importer.count(".") + 1)}
    return ({".".join(parts[:i]) for i in range(1, len(parts) + 1)} & MODULES.keys()) - own


def module_level_imports(module: str) -> set[str]:
    """The product modules `module` imports when it is imported (imports inside functions excluded)."""
    tree = ast.parse(MODULES[module].read_text())
    targets = set()
    for node in tree.body:  # only statements run at import time; if/try blocks at module level too
        for child in [node, *ast.walk(node)] if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(child, ast.Import):
                for alias in child.names:
                    targets |= _with_packages(alias.name, module)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, child)
                targets |= _with_packages(base, module)
                for alias in child.names:
                    targets |= _with_packages(f"{base}.{alias.name}", module)
    return targets - {module}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_loop():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_every_product_module_imports_and_none_is_part_of_an_import_loop(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "architecture-test")  # config.settings.production needs both
    monkeypatch.setenv("ALLOWED_HOSTS", "appeals.example.com")
    for module in sorted(MODULES):
        importlib.import_module(module)
    graph = {module: module_level_imports(module) for module in MODULES}
    assert sum(map(len, graph.values())) > 100  # the walk really sees the imports
    assert import_cycles(graph) == []


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_imports_between_apps_point_one_way(app):
    wrong = {
        (module, target) for module in MODULES if module.split(".")[0] == app
        for target in module_level_imports(module) | _imports_inside_functions(module)
        if target.split(".")[0] not in MAY_IMPORT[app]
    }
    assert wrong == set()


def _imports_inside_functions(module: str) -> set[str]:
    targets = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            targets |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
    return {target for target in targets if target.split(".")[0] in MAY_IMPORT}


def test_accounts_templates_name_no_appeals_url():
    appeals_names = {name for name, patterns in _named_views().items() if patterns.startswith("appeals")}
    assert "appeal-create" in appeals_names  # the check knows the appeals app's URLs
    url_tag = re.compile(r"{%\s*url\s+['\"]([\w:-]+)['\"]")
    offending = []
    for folder in (ROOT / "accounts" / "templates", ROOT / "templates" / "accounts",
                   ROOT / "templates" / "admin" / "accounts"):
        for template in folder.rglob("*.html") if folder.exists() else []:
            text = template.read_text()
            offending += [(template.name, name) for name in url_tag.findall(text) if name in appeals_names]
            offending += [(template.name, "appeals template") for _ in re.findall(r"[\"']appeals/", text)]
    assert offending == []


def _named_views() -> dict[str, str]:
    """URL name → the module of its view, for every named URL of the project."""
    names = {}

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            elif pattern.name:
                names[pattern.name] = getattr(pattern.callback, "__module__", "")

    walk(get_resolver().url_patterns)
    return names


def test_modules_and_functions_stay_small():
    """The house rule: a module past about 300 lines (models aside) or a function past about 50 is
    asking to be split."""
    too_long = []
    for path in product_files():
        text = path.read_text()
        if text.count("\n") > 320 and path.parent.name != "models" and path.name != "models.py":
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 55:
                too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}()")
    assert too_long == []
