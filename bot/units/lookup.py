"""Finding a unit by what someone typed: its path, its name, or a name without its level.

One rule for every command that takes a unit name (/thongbao, /thongke, /nghiphep's team,
`antt-bot tally --unit`): a full path is taken as it is; otherwise the typed text is folded
(no diacritics, no case) and compared with each unit's name, with the name minus its level
word ("Mới" finds "Ấp Mới", "na leng" finds "Thôn Nà Lẹng"), and with the end of its path
("Xã Bắc Sơn/Thôn Nà Lẹng"). When nothing answers to that, the last words of a name will
do ("leng" finds "Thôn Nà Lẹng" when no other name ends so). Each caller words the four
outcomes its own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.parsing import fold
from storage import units
from storage.db import Tx
from storage.subtree import SEPARATOR, in_scope
from storage.units import Unit

# The level words a unit name may start with, folded (the union of what /thongbao, /thongke
# and /nghiphep each knew before they shared this module).
LEVELS = (
    "tinh",
    "thanh pho",
    "huyen",
    "quan",
    "thi xa",
    "xa",
    "phuong",
    "thi tran",
    "thon",
    "ap",
    "ban",
    "to dan pho",
    "to",
)


@dataclass(frozen=True)
class Found:
    """Exactly one unit in scope answers to the typed text."""

    unit: Unit


@dataclass(frozen=True)
class Ambiguous:
    """Several units in scope answer to it; the caller asks for more (e.g. the path)."""

    candidates: list[Unit]


@dataclass(frozen=True)
class OutOfScope:
    """Only units outside the caller's scope answer to it."""


@dataclass(frozen=True)
class Unknown:
    """No unit anywhere answers to it."""


Lookup = Found | Ambiguous | OutOfScope | Unknown


def _named(name: str, typed: str, loose: bool = False) -> bool:
    """Whether a folded unit name is the folded typed name, with or without a level word
    (or, `loose`, with any words before it)."""
    if name == typed:
        return True
    if not name.endswith(" " + typed):
        return False
    return loose or name[: -len(typed) - 1] in LEVELS


@dataclass(frozen=True)
class _Wanted:
    """The typed text folded once, segment by segment ("Xã Bắc Sơn/Nà Lẹng" has two)."""

    segments: tuple[str, ...]

    @classmethod
    def of(cls, typed: str) -> _Wanted:
        """Fold once what the caller typed, rather than once per unit compared."""
        return cls(tuple(fold(s) for s in typed.strip(" " + SEPARATOR).split(SEPARATOR)))

    def matches(self, unit: Unit, name: str, loose: bool = False) -> bool:
        """Whether the caller may have meant this unit (`name`: its name folded, once per
        lookup however many passes compare it): its name, or the end of its path."""
        if not _named(name, self.segments[-1], loose):
            return False
        if len(self.segments) == 1:
            return True
        above = unit.path.split(SEPARATOR)[:-1]
        typed_above = self.segments[:-1]
        if len(typed_above) > len(above):
            return False
        tail = above[len(above) - len(typed_above) :]
        return all(_named(fold(n), t) for n, t in zip(tail, typed_above, strict=True))


def teams(rows: Sequence[Unit]) -> list[Unit]:
    """The units of a whole subtree that have no unit below them: the teams people report in."""
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return [r for r in rows if r.id not in parents]


async def find_unit(
    tx: Tx,
    typed: str,
    scope: str | None,
    *,
    teams_only: bool = False,
    open_only: bool = True,
) -> Lookup:
    """Which unit the caller means, so that every command reads a typed unit the same way.

    `scope` is the caller's own unit path (None: the whole tree, for the operator's shell);
    `teams_only` keeps the units without units below them (the leave dialog's teams);
    `open_only` (the default) leaves out units an org import closed, so nothing new (an
    invite, a move, an announcement) goes to a dissolved unit; a tally of a past period
    passes False.
    """
    exact = None if teams_only else await units.get_by_path(tx, typed)
    if exact is not None and open_only and await units.is_closed(tx, exact.id):
        exact = None  # looked for among the open units below, where it is not
    if exact is not None:  # the fast way for a pasted path; a team's path is matched below
        if scope is None or in_scope(scope, exact.path):
            return Found(exact)
        return OutOfScope()
    wanted = _Wanted.of(typed)
    inside = await (
        units.every(tx, open_only=open_only)
        if scope is None
        else units.named_under(tx, scope, open_only=open_only)
    )
    pool = teams(inside) if teams_only else inside
    named = [(u, fold(u.name)) for u in pool]
    for loose in (False, True):  # the whole name first; its last words only if none is
        hits = [u for u, name in named if wanted.matches(u, name, loose)]
        if len(hits) == 1:
            return Found(hits[0])
        if hits:
            return Ambiguous(hits)
    if scope is not None:
        everywhere = await units.every(tx, open_only=open_only)
        outside = [u for u in everywhere if not in_scope(scope, u.path)]
        if any(wanted.matches(u, fold(u.name)) for u in outside):
            return OutOfScope()
    return Unknown()
