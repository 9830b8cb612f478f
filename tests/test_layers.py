"""The house's import directions, checked on the source: data flows one way (README, "Where things live").

Every `import` counts, at module level or inside a function, so a late import cannot dodge a rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Engines and their helpers see only the domain; these three also read the database or the settings.
SEARCH_DATA_SIDE = ("search.indexer", "search.document_builder", "search.factory")
# What a route may call on the request's database session: nothing; services do the queries.
SESSION_QUERIES = frozenset({"exec", "execute", "scalar", "scalars", "get", "get_one", "add", "add_all",
                             "delete", "merge", "flush", "query", "refresh"})


@dataclass(frozen=True)
class Rule:
    """Modules under `layer` may import from `allowed` only (None: anything) and never from `forbidden`."""

    layer: str
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    why: str = ""


RULES = (
    Rule("app.domain", allowed=("app.domain",), why="the rules are pure: no I/O, no web, no database"),
    Rule("app.files", allowed=("app.domain", "app.files", "app.i18n", "app.errors", "app.config"),
         why="bytes in, bytes out: no HTTP, no database, no use-cases"),
    Rule("app.forms", forbidden=("app.web", "app.routes", "app.services", "app.models", "app.db"),
         why="a form parses what was posted; it neither stores nor answers"),
    Rule("app.services", forbidden=("app.web", "app.routes", "app.main", "app.cli"),
         why="use-cases know nothing of HTTP, so the CLI and the routes share them"),
    Rule("app.web", forbidden=("app.routes", "app.cli"), why="plumbing shared by the routes, below them"),
    Rule("search", forbidden=("app.web", "app.routes", "app.services", "app.forms", "app.main", "app.cli"),
         why="the index is derived from the models, never from a page"),
)
ENGINE_RULE = Rule("search", allowed=("search", "app.domain"),
                   why="engines depend on the domain only (the indexer side reads the database)")


def module_name(path: Path) -> str:
    """`app/services/catalog/reads.py` → `app.services.catalog.reads`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every absolute import, `from x import y` giving both x and x.y."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _ours(name: str) -> bool:
    return _under(name, ("app", "search"))


def rule_breaks(module: str, tree: ast.AST) -> list[str]:
    """Every import of `module` that breaks a rule, as 'module:line imports name (why)'."""
    rules = [r for r in RULES if _under(module, (r.layer,))]
    if _under(module, ("search",)) and not _under(module, SEARCH_DATA_SIDE):
        rules.append(ENGINE_RULE)
    breaks: dict[int, str] = {}  # one per import statement: `from x import y` names x and x.y
    for line, name in imported_modules(tree):
        if line in breaks or not _ours(name) or _under(name, (module,)):
            continue
        for rule in rules:
            if _under(name, rule.forbidden) or (rule.allowed is not None and not _under(name, rule.allowed)):
                breaks[line] = f"{module}:{line} imports {name} ({rule.why})"
                break
    return [breaks[line] for line in sorted(breaks)]


def route_queries(module: str, tree: ast.AST) -> list[str]:
    """Calls like `session.exec(...)` in a route module: the database is the services' business."""
    return [f"{module}:{node.lineno} calls session.{node.func.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "session"
            and node.func.attr in SESSION_QUERIES]


def sources(*folders: str) -> Iterator[tuple[str, ast.AST]]:
    """(module name, syntax tree) of every Python file under `folders`."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_imports_point_down() -> None:
    breaks = [b for module, tree in sources("app", "search") for b in rule_breaks(module, tree)]
    assert not breaks, "\n".join(breaks)


def test_routes_never_query_the_database() -> None:
    found = [q for module, tree in sources("app/routes") for q in route_queries(module, tree)]
    assert not found, "\n".join(found)


def test_routes_import_no_query_builders() -> None:
    found = [f"{module}:{line} imports {name}" for module, tree in sources("app/routes")
             for line, name in imported_modules(tree)
             if _under(name, ("sqlalchemy",)) or (_under(name, ("sqlmodel",)) and name != "sqlmodel.Session"
                                                  and name != "sqlmodel")]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("app.domain.levels", "from app.web.i18n import gettext", "app.web.i18n"),
    ("app.domain.levels", "def f():\n    from app.models import Product\n", "app.models"),
    ("app.services.catalog.reads", "import app.web.templating", "app.web.templating"),
    ("app.files.images", "from app.services.records import photos", "app.services.records"),
    ("search.embedded", "from app.models import Product", "app.models"),
    ("app.forms.records", "from app.routes import catalog", "app.routes"),
])
def test_a_forbidden_import_is_caught(module: str, source: str, expected: str) -> None:
    """The checker itself can fail: each of these imports is reported."""
    breaks = rule_breaks(module, ast.parse(source))
    assert breaks and expected in breaks[0]


def test_allowed_imports_pass() -> None:
    assert rule_breaks("app.services.catalog.reads", ast.parse("from app.domain.levels import Level")) == []
    assert rule_breaks("search.indexer", ast.parse("from app.models import Product")) == []
    found = route_queries("app.routes.x", ast.parse("session.exec(q)"))
    assert found == ["app.routes.x:1 calls session.exec"]
