"""Reading `--unit` and `--on`/`--from`/`--to` on the command line the way chat reads them.

Every operator command that takes a unit accepts a full path or a unique short name, with or
without diacritics (bot/units/lookup.py, the whole tree in scope); when nothing answers, the
operator is shown the closest paths, and when several do, all of them. Days are typed in the
forms chat accepts (bot/core/typed_dates.py). A failure raises `CliError`, whose message the
command prints on standard error before exiting with `code`.
"""

from __future__ import annotations

import difflib
from datetime import date

from bot.core import typed_dates
from bot.core.parsing import fold
from bot.units import lookup
from storage import units
from storage.db import Tx
from storage.units import Unit

SUGGESTIONS = 5


class CliError(Exception):
    """What the operator typed cannot be used; the message says why and what to type."""

    def __init__(self, message: str, code: int = 1) -> None:
        """Keep the exit code (1: nothing matches in the data, 2: malformed input)."""
        super().__init__(message)
        self.code = code


async def resolve_unit(tx: Tx, typed: str, *, open_only: bool = True) -> Unit:
    """The unit the operator means, or a `CliError` listing the candidates (several match)
    or the closest paths (none does), so a typo costs one more try, not a search. Dissolved
    units only with `open_only=False` (a past period's tally)."""
    found = await lookup.find_unit(tx, typed, None, open_only=open_only)
    if isinstance(found, lookup.Found):
        return found.unit
    if isinstance(found, lookup.Ambiguous):
        paths = "\n".join(f"  {u.path}" for u in found.candidates)
        raise CliError(f"{typed!r} names several units; give one's path:\n{paths}")
    close = closest(typed, await units.every(tx, open_only=open_only))
    if not close:
        raise CliError(
            f"no unit {typed!r}; load the unit tree with `antt-bot org import FILE` first"
            if not await units.any_unit(tx)
            else f"no unit {typed!r}; give a path (names from the root joined by '/')"
        )
    raise CliError(f"no unit {typed!r}; did you mean: {', '.join(close)}?")


def closest(typed: str, pool: list[Unit], limit: int = SUGGESTIONS) -> list[str]:
    """The paths nearest to a misspelling, compared folded (no diacritics, no case) with each
    unit's name, its name without the level word, and its path; best first."""
    wanted = fold(typed).strip(" /")
    if not wanted:
        return []
    scored: list[tuple[float, str]] = []
    for unit in pool:
        name = fold(unit.name)
        bare = _without_level(name)
        keys = (name, bare, fold(unit.path))
        score = max(difflib.SequenceMatcher(None, wanted, key).ratio() for key in keys)
        if score >= 0.6:
            scored.append((score, unit.path))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [path for _, path in scored[:limit]]


def _without_level(name: str) -> str:
    for level in sorted(lookup.LEVELS, key=len, reverse=True):
        if name.startswith(level + " "):
            return name[len(level) + 1 :]
    return name


def read_day(typed: str, today: date, option: str) -> date:
    """The day typed after `option`, in any form chat accepts, or a `CliError` (exit 2)
    naming the forms that work."""
    day = typed_dates.read_day(typed, today)
    if day is None:
        raise CliError(
            f"{option}: not a date: {typed!r} (use e.g. {typed_dates.FORMS} or 'hôm nay')",
            code=2,
        )
    return day
