"""What the org import tells its caller: the result, refusals, and progress as it goes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class OrgImportError(Exception):
    """The file cannot be imported; the message names the line and what is wrong.

    `line` is the 1-based line (or sheet row) number, with the header on line 1, or None when
    the problem concerns the whole file (unreadable, unsupported type, too large). `kept`
    counts units a failed import created that its rollback had to keep (now in use).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.kept = 0


def refusal(file: Path, line: int | None, problem: str) -> OrgImportError:
    """An error that starts with where the problem is ("org.csv, line 5: ..."), so the
    operator can open the file at the right place."""
    where = f"{file.name}, line {line}" if line is not None else file.name
    return OrgImportError(f"{where}: {problem}", line)


@dataclass(frozen=True)
class ImportResult:
    """How many units the import created, updated and left as they were; the units it
    closed (dropped from the file), renamed (old, new path) and opened again, and how many
    members' service it ended."""

    created: int
    updated: int
    unchanged: int
    closed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    reopened: tuple[str, ...] = ()
    left: int = 0


@dataclass(frozen=True)
class Interrupted:
    """An earlier import whose process died part-way; it is undone before a new one starts."""

    import_id: int
    file: str
    started_at: str
    pending: int  # changes it wrote that are still to undo


class ImportObserver:
    """Told how a long import is going; the command line prints it, tests act on it.

    Every method is awaited between two write transactions, never inside one, so an
    observer may itself use the database. Raising from one stops the import, and what it
    wrote so far is rolled back.
    """

    async def reading(self, file: Path) -> None:
        """The file is about to be read and checked."""

    async def checked(self, rows: int) -> None:
        """Every row of the file passed the checks that need no database."""

    async def recovering(self, interrupted: Interrupted) -> None:
        """An interrupted import was found and is about to be rolled back."""

    async def recovered(self, interrupted: Interrupted, kept: int) -> None:
        """The interrupted import is rolled back; `kept` units stayed (now in use)."""

    async def planned(self, created: int, updated: int, unchanged: int) -> None:
        """The file was compared with the database: this is what will be written."""

    async def written(self, done: int, total: int) -> None:
        """One more short write transaction committed; done of total changes are written."""

    async def undone(self, done: int, total: int) -> None:
        """One more rollback transaction committed; done of total changes are undone."""
