"""The unit tree as it stood in a period: which units were open, and what they were called.

A tally of a closed period must show the tree it had, whatever an org import changed since:
a unit counts only if it was open on some day of the period (`units.opened_on`/`closed_on`),
a team is a unit with no unit open in the period below it, and names, kinds, parents and
household counts are those at the period's end: the `unit_history` row with the smallest
`changed_on` after the end holds the state before that change (none: the unit is as it is
now). Paths are rebuilt
from those names and parents, so a rename of a commune moves its villages' paths with it
even when only the commune's row was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.db import Row, Tx
from storage.subtree import SEPARATOR, in_scope, within, within_params

# Each unit with its state at the period's end: the first change after it, if any, holds
# what it was before. ?1 is the period's last day.
_AS_OF = """SELECT u.id, u.parent_id, u.name, u.kind, u.path, u.households,
       u.opened_on, u.closed_on, h.id AS h_id, h.name AS h_name, h.kind AS h_kind,
       h.parent_id AS h_parent_id, h.households AS h_households
  FROM units u
  LEFT JOIN unit_history h ON h.id = (
       SELECT x.id FROM unit_history x WHERE x.unit_id = u.id AND x.changed_on > ?1
       ORDER BY x.changed_on, x.id LIMIT 1)"""

# The same columns when nothing changed after the period (the usual case): no lookup per unit.
_AS_NOW = """SELECT u.id, u.parent_id, u.name, u.kind, u.path, u.households,
       u.opened_on, u.closed_on, NULL AS h_id, NULL AS h_name, NULL AS h_kind,
       NULL AS h_parent_id, NULL AS h_households
  FROM units u"""


@dataclass(frozen=True)
class UnitThen:
    """A unit as it stood at the end of a period: `path` then (rows are ordered and nested
    by it) and `current_path` now (the index the count queries range over)."""

    id: int
    parent_id: int | None
    name: str
    kind: str
    path: str
    current_path: str
    households: int | None
    leaf: bool


def _open_in(opened: object, closed: object, start: str, end: str) -> bool:
    """Open on some day of [start, end]: opened by the end and not closed by the start."""
    return (opened is None or str(opened) <= end) and (closed is None or str(closed) > start)


async def tree_in_period(tx: Tx, root_id: int, start: date, end: date) -> list[UnitThen]:
    """The unit `root_id` and every unit below it as they stood in the period [start, end],
    ordered by their path then; only units open on some day of it (the root always, so a
    tally of a unit that did not exist yet is an empty one rather than an error).

    Cheap in the usual case (no change recorded after the period): one index range over the
    current subtree. When some unit changed after the period's end, the whole tree is read
    and rebuilt as it was (changes are rare and units few), since a unit may have moved into
    or out of the subtree since.
    """
    first, last = start.isoformat(), end.isoformat()
    root_row = await tx.fetchone(f"{_AS_OF} WHERE u.id = ?2", (last, root_id))
    if root_row is None:
        return []
    changed = await tx.fetchone("SELECT 1 FROM unit_history WHERE changed_on > ? LIMIT 1", (last,))
    if changed is None:
        params = within_params(str(root_row["path"]))
        rows = await tx.fetchall(f"{_AS_NOW} WHERE {within('u.path')}", params)
        return _as_then(rows, root_id, first, last, rebuild=False)
    rows = await tx.fetchall(_AS_OF, (last,))
    return _as_then(rows, root_id, first, last, rebuild=True)


def _as_then(rows: list[Row], root_id: int, first: str, last: str, rebuild: bool) -> list[UnitThen]:
    """Names, kinds and parents at the period's end, paths rebuilt from them (`rebuild`:
    every unit was read; otherwise nothing changed since and paths are today's), the units
    open in the period under the root, and which of them were teams.

    Each row's columns are read once, by position (`_AS_OF`'s order): a province has 5,000
    units and a row's lookup by name scans its columns."""
    # (id, parent_id, name, kind, path, households, opened_on, closed_on, h_id, h_name,
    #  h_kind, h_parent_id, h_households)
    read = [tuple(r) for r in rows]
    state: dict[int, tuple[str, str, int | None]] = {}
    for r in read:
        if r[8] is None:
            state[int(r[0])] = (str(r[2]), str(r[3]), r[1])
        else:
            state[int(r[0])] = (str(r[9]), str(r[10]), r[11])
    paths: dict[int, str] = {} if rebuild else {int(r[0]): str(r[4]) for r in read}

    def path_of(uid: int) -> str:
        """The path then: the parent's path then plus the name then (a broken chain, which
        the tree never has, ends where it breaks rather than looping)."""
        chain: list[int] = []
        at: int | None = uid
        while at is not None and at not in paths and at in state and at not in chain:
            chain.append(at)
            at = state[at][2]
        base = paths.get(at) if at is not None else None
        for node in reversed(chain):
            name = state[node][0]
            paths[node] = name if base is None else base + SEPARATOR + name
            base = paths[node]
        return paths[uid]

    root_path = path_of(root_id)
    chosen = [
        r
        for r in read
        if int(r[0]) == root_id
        or (_open_in(r[6], r[7], first, last) and in_scope(root_path, path_of(int(r[0]))))
    ]
    ids = {int(r[0]) for r in chosen}
    parents = {state[i][2] for i in ids}
    result = []
    for r in chosen:
        uid = int(r[0])
        name, kind, parent_id = state[uid]
        # The household count then: the history row's when the unit changed after the period
        # (a later import's count must not move a closed period's target), else today's.
        households = r[5] if r[8] is None else r[12]
        result.append(
            UnitThen(
                id=uid,
                parent_id=parent_id,
                name=name,
                kind=kind,
                path=paths[uid],
                current_path=str(r[4]),
                households=None if households is None else int(households),
                leaf=uid not in parents,
            )
        )
    result.sort(key=lambda u: u.path)
    return result
