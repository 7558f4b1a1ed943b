"""The style promises of the project, checked on every run: ruff clean and mypy clean."""

from __future__ import annotations

import subprocess
import sys
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
    """Modules past ~400 lines are split by responsibility (CONTRIBUTING.md)."""
    too_long = {}
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 420:
                too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, too_long


def test_every_public_function_has_a_docstring() -> None:
    """A docstring on every public function saying why (CONTRIBUTING.md)."""
    import ast

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
