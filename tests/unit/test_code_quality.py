"""The style promises of the project, checked on every run: ruff and mypy clean, complexity,
module size, docstrings, SQL only in storage/, no import circle."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "bot", "handlers", "storage", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_function_branches_past_twelve(tmp_path: Path) -> None:
    """The ruff run above caps cyclomatic complexity at 12 (C901) in bot/, handlers/ and
    storage/: shown on a function with 13 branches, which it must refuse."""
    package = tmp_path / "bot"
    package.mkdir()
    arms = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    (package / "tangled.py").write_text(f"def f(x: int) -> int:\n{arms}    return -1\n")
    result = _run("ruff", "check", "--config", str(ROOT / "pyproject.toml"), str(package))
    assert "C901" in result.stdout, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = _run("mypy", "bot", "handlers", "storage")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_passes_the_size_limit() -> None:
    """Modules past about 400 lines are split by responsibility; the check fails at 420."""
    too_long = {}
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 420:
                too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, too_long


def test_every_public_function_has_a_docstring() -> None:
    """A docstring on every public function saying why it exists."""
    missing = []
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    and not node.name.startswith("_")
                    and ast.get_docstring(node) is None
                ):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not missing, missing


# A statement's shape, not a keyword alone: "select" or "update" may appear in any sentence.
_SQL = re.compile(
    r"\bSELECT\b.+?\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bSELECT\s+1\b",
    re.DOTALL,
)
_QUERY_METHODS = {"execute", "executemany", "fetchone", "fetchall", "insert"}


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _literal_text(node: ast.expr) -> str | None:
    """The text of a string literal or the fixed parts of an f-string; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def sql_outside_storage(*folders: str) -> list[str]:
    """Every SQL statement written in a string, and every query call given a literal, in the
    given folders: all SQL belongs in storage/."""
    found = []
    for path in _python_files(*folders):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant | ast.JoinedStr):
                text = _literal_text(node)
                if text and _SQL.search(text):
                    found.append(f"{where}:{node.lineno} {text.split()[0:4]}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _QUERY_METHODS
                and node.args
                and _literal_text(node.args[0]) is not None
            ):
                found.append(f"{where}:{node.lineno} .{node.func.attr}(<literal>)")
    return sorted(set(found))


def test_no_sql_outside_storage() -> None:
    """bot/ and handlers/ ask storage/ functions; only storage/ writes SQL."""
    assert sql_outside_storage("bot", "handlers") == []


def test_the_sql_check_sees_sql() -> None:
    """The check above finds what it looks for (it runs on storage/, where SQL lives)."""
    found = sql_outside_storage("storage")
    assert any(f.startswith("storage/units.py") for f in found)
    assert any(".fetchall(<literal>)" in f for f in found)


_LAYERS = ("bot", "handlers", "storage")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Which project modules each module of bot/, handlers/ and storage/ imports.

    Every import counts, at the top, inside a function or under TYPE_CHECKING: one inside a
    function only hides a circle until the day that function runs first, and the type
    checker follows the others. Importing `a.b.c` also runs `a` and `a.b` first, so those
    count too, except the importer's own packages (already running when it is imported).
    """
    files = {_module_name(p): p for p in _python_files(*_LAYERS)}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named: list[str] = []
            if isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                # `from pkg import mod` needs the module; `from pkg import name`, the package
                named = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            for target in named:
                parts = target.split(".")
                above = {".".join(parts[:i]) for i in range(1, len(parts))} - own
                targets.update({target, *above})
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles among the modules (each a strongly connected set of two or more), found
    with Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    """No module imports itself back through others, lazily or not: a circle breaks as soon
    as someone imports the modules in another order."""
    assert import_cycles(import_graph()) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check above finds a circle where there is one."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_only_the_entry_points_import_handlers() -> None:
    """Layers point down: handlers/ use bot/, never the reverse, except where the application
    is assembled (bot/app.py) and started (bot/__main__.py)."""
    allowed = {"bot.app", "bot.__main__"}
    graph = import_graph()
    upward = {
        name: sorted(t for t in targets if t == "handlers" or t.startswith("handlers."))
        for name, targets in graph.items()
        if name.startswith("bot") and name not in allowed
    }
    assert {k: v for k, v in upward.items() if v} == {}
    below = {
        name: sorted(t for t in targets if not t.startswith("storage"))
        for name, targets in graph.items()
        if name.startswith("storage")
    }
    assert {k: v for k, v in below.items() if v} == {}
