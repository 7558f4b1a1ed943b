"""The bot processes sharing one database: their heartbeats, read by the living.

Each `antt-bot run` registers a row and beats it; another process is alive while its beat
is fresh. Rows are few (one per process), so callers read them all and judge in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Process:
    """One registered process as stored."""

    process_id: str
    node: str
    pid: int
    pid_start: str
    channels: tuple[str, ...]
    beat_at: str


def _channels_text(channels: tuple[str, ...] | list[str]) -> str:
    """ ",telegram,zalo,": one column, split again by `all_processes`."""
    return "," + ",".join(sorted(channels)) + ","


async def register(tx: Tx, process: Process, now_iso: str) -> None:
    """Announce a process that has just started (its first beat).

    The caller reads everyone's rows in the same transaction to learn whether others send
    through its bots; the write lock of every write transaction (SQLite's, or on PostgreSQL
    the advisory one storage/pg.py takes) orders two registrations, so two processes
    starting together never each find the other missing.
    """
    await tx.execute(
        """INSERT INTO processes
             (process_id, node, pid, pid_start, channels, started_at, beat_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (process_id) DO UPDATE SET
             channels = excluded.channels, beat_at = excluded.beat_at""",
        (
            process.process_id,
            process.node,
            process.pid,
            process.pid_start,
            _channels_text(process.channels),
            now_iso,
            now_iso,
        ),
    )


async def beat(tx: Tx, process_id: str, channels: tuple[str, ...], now_iso: str) -> bool:
    """Say this process still lives (and which messengers it sends to now); False when its
    row is gone (removed as dead by another process after a long stall): register again."""
    cur = await tx.execute(
        "UPDATE processes SET beat_at = ?, channels = ? WHERE process_id = ?",
        (now_iso, _channels_text(channels), process_id),
    )
    return int(cur.rowcount) == 1


async def all_processes(tx: Tx) -> list[Process]:
    """Every registered process, alive or not: the caller judges with its own rules."""
    rows = await tx.fetchall(
        "SELECT process_id, node, pid, pid_start, channels, beat_at FROM processes"
        " ORDER BY process_id"
    )
    return [
        Process(
            process_id=str(row["process_id"]),
            node=str(row["node"]),
            pid=int(row["pid"]),
            pid_start=str(row["pid_start"]),
            channels=tuple(c for c in str(row["channels"]).split(",") if c),
            beat_at=str(row["beat_at"]),
        )
        for row in rows
    ]


async def remove(tx: Tx, process_ids: list[str]) -> int:
    """Forget processes: this one at a clean stop, or dead ones whose work was taken over."""
    if not process_ids:
        return 0
    marks = ",".join("?" for _ in process_ids)
    cur = await tx.execute(f"DELETE FROM processes WHERE process_id IN ({marks})", process_ids)
    return int(cur.rowcount)
