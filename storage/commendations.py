"""Commendations proposed for an occasion: ticked, unticked, listed, and counted for 4.7.

One row per occasion and team, or per occasion, team and member (member None: the team
itself). Unticking deletes the row; the caller records both in the audit trail in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row, Tx
from storage.subtree import within, within_params


@dataclass(frozen=True)
class Ticked:
    """One proposal as stored, with the names of the team and member as they are now."""

    id: int
    occasion: str
    unit_id: int
    team_name: str
    team_path: str
    member_id: int | None
    member_name: str
    reason: str
    ticked_by_name: str
    ticked_at: str

    @classmethod
    def from_row(cls, row: Row) -> Ticked:
        """The one place that maps the columns to fields."""
        member_id = row["member_id"]
        return cls(
            id=int(row["id"]),
            occasion=str(row["occasion"]),
            unit_id=int(row["unit_id"]),
            team_name=str(row["team_name"]),
            team_path=str(row["team_path"]),
            member_id=int(member_id) if member_id is not None else None,
            member_name=str(row["member_name"] or ""),
            reason=str(row["reason"]),
            ticked_by_name=str(row["ticked_by_name"]),
            ticked_at=str(row["ticked_at"]),
        )


_MATCH = "occasion = ? AND unit_id = ? AND COALESCE(member_id, 0) = COALESCE(?, 0)"


async def find(tx: Tx, occasion: str, unit_id: int, member_id: int | None) -> Row | None:
    """The proposal of a team (member None) or of a member for an occasion, if ticked."""
    return await tx.fetchone(
        f"SELECT id, reason FROM commendations WHERE {_MATCH}", (occasion, unit_id, member_id)
    )


async def tick(
    tx: Tx,
    *,
    occasion: str,
    occasion_end: str,
    unit_id: int,
    member_id: int | None,
    reason: str,
    by_id: int | None,
    by_name: str,
    at: str,
) -> bool:
    """Propose a team or a member; False (nothing changed) when already proposed, so a
    repeated tap or command never makes a second row."""
    if await find(tx, occasion, unit_id, member_id) is not None:
        return False
    await tx.insert(
        "INSERT INTO commendations (occasion, occasion_end, unit_id, member_id, reason,"
        " ticked_by, ticked_by_name, ticked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (occasion, occasion_end, unit_id, member_id, reason, by_id, by_name, at),
    )
    return True


async def untick(tx: Tx, occasion: str, unit_id: int, member_id: int | None) -> bool:
    """Withdraw a proposal; False when there was none."""
    cur = await tx.execute(
        f"DELETE FROM commendations WHERE {_MATCH}", (occasion, unit_id, member_id)
    )
    return bool(cur.rowcount)


async def set_reason(
    tx: Tx, occasion: str, unit_id: int, member_id: int | None, reason: str
) -> bool:
    """Give a proposal its reason line (what the officer typed); False when not ticked."""
    cur = await tx.execute(
        f"UPDATE commendations SET reason = ? WHERE {_MATCH}",
        (reason, occasion, unit_id, member_id),
    )
    return bool(cur.rowcount)


async def ticked_under(tx: Tx, occasion: str, path: str) -> list[Ticked]:
    """Every proposal of an occasion for teams in the subtree at `path`, teams first, then
    members, each in team path order: the order of the exported list."""
    rows = await tx.fetchall(
        f"""SELECT c.id, c.occasion, c.unit_id, u.name AS team_name, u.path AS team_path,
                   c.member_id, m.full_name AS member_name, c.reason, c.ticked_by_name,
                   c.ticked_at
            FROM commendations c JOIN units u ON u.id = c.unit_id
            LEFT JOIN members m ON m.id = c.member_id
            WHERE c.occasion = ? AND {within("u.path")}
            ORDER BY c.member_id IS NOT NULL, u.path, m.full_name, c.id""",
        (occasion, *within_params(path)),
    )
    return [Ticked.from_row(r) for r in rows]


async def per_unit(tx: Tx, path: str, start: str, end: str) -> dict[int, int]:
    """Proposals per team in the subtree at `path` whose occasion ended in [start, end]:
    `Figures.commended`, which target 4.7 adds to the team's good deeds."""
    rows = await tx.fetchall(
        f"""SELECT c.unit_id AS unit_id, COUNT(*) AS n
            FROM commendations c JOIN units u ON u.id = c.unit_id
            WHERE c.occasion_end BETWEEN ? AND ? AND {within("u.path")}
            GROUP BY c.unit_id""",
        (start, end, *within_params(path)),
    )
    return {int(r["unit_id"]): int(r["n"]) for r in rows}
