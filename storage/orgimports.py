"""The org import journal: which import is running, and every change it wrote, so it can be
undone in short transactions if it fails or its process is killed part-way.

An import's row goes running → done, or running → rolled_back once each of its changes has
been undone (newest first, so children go before their parents). Undone changes are removed
from the journal in the same transaction that undoes them, so a rollback that is itself
interrupted resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage import units
from storage.db import Row, Tx

RUNNING = "running"
DONE = "done"
ROLLED_BACK = "rolled_back"

CREATED = "created"
UPDATED = "updated"
# Tree changes made with --apply-changes (and closing empty units); each keeps in `undo`
# what its rollback puts back (see undo_one).
MOVED = "moved"
REOPENED = "reopened"
CLOSED = "closed"
LEFT = "left"


@dataclass(frozen=True)
class Change:
    """One unit an import created, or updated from the kind, households and phone it had
    before."""

    seq: int
    unit_id: int
    action: str  # CREATED or UPDATED
    prev_kind: str | None = None
    prev_households: int | None = None
    prev_phone: str | None = None
    undo: dict[str, Any] | None = None  # what else a rollback puts back (tree changes)


@dataclass(frozen=True)
class Undone:
    """What one rollback batch did: changes undone, and created units kept because something
    (a member, an invite, a report) refers to them now."""

    undone: int
    kept: int


async def running(tx: Tx) -> Row | None:
    """The import marked running, if any: it is either alive (a second one must wait) or was
    interrupted (it must be undone first)."""
    return await tx.fetchone("SELECT * FROM org_imports WHERE status = ?", (RUNNING,))


async def start(tx: Tx, file: str, host: str, pid: int, now_iso: str) -> int:
    """Claim the single running slot for a new import; the unique index refuses a second."""
    return await tx.insert(
        "INSERT INTO org_imports (file, status, host, pid, started_at, heartbeat_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (file, RUNNING, host, pid, now_iso, now_iso),
    )


async def take_over(tx: Tx, import_id: int, host: str, pid: int, now_iso: str) -> None:
    """Make this process the owner of an interrupted import, so it alone undoes it and a
    third process sees a live owner instead of starting the same rollback."""
    await tx.execute(
        "UPDATE org_imports SET host = ?, pid = ?, heartbeat_at = ? WHERE id = ?",
        (host, pid, now_iso, import_id),
    )


async def beat(tx: Tx, import_id: int, host: str, pid: int, now_iso: str) -> bool:
    """Show the import is alive; False when it is no longer ours (another process judged it
    dead and took it over), so the writer stops at once."""
    cur = await tx.execute(
        "UPDATE org_imports SET heartbeat_at = ?"
        " WHERE id = ? AND status = ? AND host = ? AND pid = ?",
        (now_iso, import_id, RUNNING, host, pid),
    )
    return cur.rowcount == 1


async def set_planned(tx: Tx, import_id: int, planned: int, unchanged: int) -> None:
    """Record how many changes the import will write, for the report of an interrupted one."""
    await tx.execute(
        "UPDATE org_imports SET planned = ?, unchanged = ? WHERE id = ?",
        (planned, unchanged, import_id),
    )


async def record(tx: Tx, import_id: int, changes: Sequence[Change]) -> None:
    """Journal a batch's changes in the batch's own transaction: a unit is never changed
    without the note that undoes it."""
    await tx.executemany(
        "INSERT INTO org_import_changes"
        " (import_id, seq, unit_id, action, prev_kind, prev_households, prev_phone, undo)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                import_id,
                c.seq,
                c.unit_id,
                c.action,
                c.prev_kind,
                c.prev_households,
                c.prev_phone,
                None if c.undo is None else json.dumps(c.undo, ensure_ascii=False),
            )
            for c in changes
        ],
    )


async def pending_changes(tx: Tx, import_id: int) -> int:
    """How many changes of an import are still in the journal: what a rollback has to undo."""
    row = await tx.fetchone(
        "SELECT COUNT(*) AS n FROM org_import_changes WHERE import_id = ?", (import_id,)
    )
    return int(row["n"]) if row is not None else 0


async def undo_latest(tx: Tx, import_id: int, limit: int) -> Undone:
    """Undo an import's newest `limit` changes, newest first, and drop them from the
    journal: created units are deleted (children first), updated ones get their previous
    kind, households and phone, and tree changes are put back as `undo` says."""
    rows = await tx.fetchall(
        "SELECT seq, unit_id, action, prev_kind, prev_households, prev_phone, undo"
        " FROM org_import_changes"
        " WHERE import_id = ? ORDER BY seq DESC LIMIT ?",
        (import_id, limit),
    )
    if not rows:
        return Undone(0, 0)
    kept: list[int] = []
    run: list[Row] = []  # consecutive creates or updates, undone in one statement
    for row in [*rows, None]:
        if run and (row is None or row["action"] != run[0]["action"]):
            kept += await _undo_run(tx, run)
            run = []
        if row is None:
            break
        if row["action"] in (CREATED, UPDATED):
            run.append(row)
        else:
            await _undo_one(tx, row)
    await tx.execute(
        "DELETE FROM org_import_changes WHERE import_id = ? AND seq >= ?",
        (import_id, int(rows[-1]["seq"])),
    )
    if kept:  # counted on the import, so a rollback resumed elsewhere reports them all
        await tx.execute(
            "UPDATE org_imports SET kept = kept + ? WHERE id = ?", (len(kept), import_id)
        )
    return Undone(undone=len(rows), kept=len(kept))


async def _undo_run(tx: Tx, run: list[Row]) -> list[int]:
    """Undo consecutive creates (deleted unless now in use: returns those kept) or updates."""
    if run[0]["action"] == UPDATED:
        await units.set_many(
            tx,
            [
                (int(r["unit_id"]), str(r["prev_kind"]), r["prev_households"], r["prev_phone"])
                for r in run
            ],
        )
        for r in run:
            await _forget(tx, _undo_of(r))
        return []
    created = [int(r["unit_id"]) for r in run]
    kept = await units.delete_unreferenced(tx, created)
    gone = [(unit_id,) for unit_id in created if unit_id not in set(kept)]
    await tx.executemany(
        "DELETE FROM audit_trail WHERE subject = 'unit' AND action = 'open' AND unit_id = ?",
        gone,
    )
    return kept


async def _undo_one(tx: Tx, row: Row) -> None:
    """Put back one tree change: a unit's place, its closed_on, a member's stretch."""
    undo = _undo_of(row)
    unit_id = int(row["unit_id"])
    action = row["action"]
    if action == MOVED:
        await tx.execute(
            "UPDATE units SET path = ?, name = ?, parent_id = ? WHERE id = ?",
            (undo["path"], undo["name"], undo["parent_id"], unit_id),
        )
    elif action in (CLOSED, REOPENED):
        await tx.execute(
            "UPDATE units SET closed_on = ? WHERE id = ?", (undo.get("closed_on"), unit_id)
        )
        await tx.executemany(
            "UPDATE invites SET revoked_at = NULL WHERE code = ?",
            [(code,) for code in undo.get("invites", [])],
        )
    elif action == LEFT:
        await _restore_stretch(tx, undo)
    await _forget(tx, undo)


async def _restore_stretch(tx: Tx, undo: dict[str, Any]) -> None:
    """Give a member back the stretch a drop ended, and the messages it withdrew."""
    stretch = undo["stretch"]
    await tx.execute(
        "INSERT INTO memberships (id, member_id, unit_id, role, start_date, end_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET end_date = excluded.end_date",
        [
            stretch[column]
            for column in ("id", "member_id", "unit_id", "role", "start_date", "end_date")
        ]
        + [stretch["created_at"]],
    )
    await tx.execute(
        "UPDATE members SET active = ? WHERE id = ?", (undo["active"], stretch["member_id"])
    )
    await tx.executemany(
        "UPDATE outbox SET status = 'pending' WHERE id = ? AND status = 'cancelled'",
        [(message_id,) for message_id in undo.get("outbox", [])],
    )


async def _forget(tx: Tx, undo: dict[str, Any]) -> None:
    """Delete the history rows, audit entries and notices a change wrote."""
    await tx.executemany(
        "DELETE FROM unit_history WHERE id = ?", [(i,) for i in undo.get("history", [])]
    )
    await tx.executemany(
        "DELETE FROM audit_trail WHERE id = ?", [(i,) for i in undo.get("audit", [])]
    )


def _undo_of(row: Row) -> dict[str, Any]:
    text = row["undo"]
    return {} if text is None else dict(json.loads(str(text)))


async def kept_units(tx: Tx, import_id: int) -> int:
    """How many created units the rollback of an import had to keep, over all its batches."""
    row = await tx.fetchone("SELECT kept FROM org_imports WHERE id = ?", (import_id,))
    return int(row["kept"]) if row is not None else 0


async def finish(
    tx: Tx, import_id: int, status: str, now_iso: str, *, created: int = 0, updated: int = 0
) -> None:
    """Close an import as done (with what it created and updated) or rolled back."""
    await tx.execute(
        "UPDATE org_imports SET status = ?, finished_at = ?, heartbeat_at = ?,"
        " created = ?, updated = ? WHERE id = ?",
        (status, now_iso, now_iso, created, updated, import_id),
    )


async def discard(tx: Tx, import_id: int) -> None:
    """Forget an import that wrote nothing (its file was refused after the claim)."""
    await tx.execute("DELETE FROM org_import_changes WHERE import_id = ?", (import_id,))
    await tx.execute("DELETE FROM org_imports WHERE id = ?", (import_id,))
