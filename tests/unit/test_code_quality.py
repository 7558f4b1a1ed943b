"""The style promises of the project, checked on every run: ruff and mypy clean, module size,
docstrings, SQL only in storage/."""

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
