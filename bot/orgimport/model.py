"""What the org import tells its caller: the result, or a refusal naming the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class OrgImportError(Exception):
    """The file cannot be imported; the message names the line and what is wrong.

    `line` is the 1-based line (or sheet row) number, with the header on line 1, or None when
    the problem concerns the whole file (unreadable, unsupported type, too large).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def refusal(file: Path, line: int | None, problem: str) -> OrgImportError:
    """An error that starts with where the problem is ("org.csv, line 5: ..."), so the
    operator can open the file at the right place."""
    where = f"{file.name}, line {line}" if line is not None else file.name
    return OrgImportError(f"{where}: {problem}", line)


@dataclass(frozen=True)
class ImportResult:
    """How many units the import created, updated and left as they were."""

    created: int
    updated: int
    unchanged: int
