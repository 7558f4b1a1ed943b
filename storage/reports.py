"""Reports, their numbers, team-mates, photos and audit trail."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Row, Tx
from storage.subtree import within, within_params

_COLUMNS = """r.id, r.number, r.member_id, r.unit_id, r.kind, r.report_date, r.data, r.status,
    r.urgent, r.created_at, r.updated_at, r.edit_until, r.ack_by, r.ack_at"""


async def next_number(tx: Tx, year: int) -> str:
    """Allocate the human report number BC-YYYY-NNNNNN, counted per year, inside the save."""
    name = f"report:{year}"
    await tx.execute(
        """INSERT INTO counters (name, value) VALUES (?, 1)
           ON CONFLICT (name) DO UPDATE SET value = value + 1""",
        (name,),
    )
    row = await tx.fetchone("SELECT value FROM counters WHERE name = ?", (name,))
    assert row is not None
    return f"BC-{year}-{int(row['value']):06d}"


async def create(
    tx: Tx,
    *,
    number: str,
    member_id: int,
    unit_id: int,
    kind: str,
    report_date: str,
    data: dict[str, Any],
    urgent: bool,
    now_iso: str,
    edit_until_iso: str,
) -> int:
    """Insert a report row; participants, media and audit are written by the caller's tx."""
    return await tx.insert(
        """INSERT INTO reports (number, member_id, unit_id, kind, report_date, data, urgent,
                                created_at, updated_at, edit_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            number,
            member_id,
            unit_id,
            kind,
            report_date,
            json.dumps(data, ensure_ascii=False),
            int(urgent),
            now_iso,
            now_iso,
            edit_until_iso,
        ),
    )


async def set_participants(tx: Tx, report_id: int, member_ids: list[int]) -> None:
    """Replace the team-mates recorded on a report (patrol participation)."""
    await tx.execute("DELETE FROM report_participants WHERE report_id = ?", (report_id,))
    for member_id in sorted(set(member_ids)):
        await tx.execute(
            "INSERT INTO report_participants (report_id, member_id) VALUES (?, ?)",
            (report_id, member_id),
        )


async def set_media(tx: Tx, report_id: int, channel: str, media: dict[str, list[str]]) -> None:
    """Replace the photo references of a report, per form field."""
    await tx.execute("DELETE FROM report_media WHERE report_id = ?", (report_id,))
    for field, refs in media.items():
        for ref in refs:
            await tx.execute(
                "INSERT INTO report_media (report_id, field, channel, file_ref) VALUES (?,?,?,?)",
                (report_id, field, channel, ref),
            )


async def audit(
    tx: Tx,
    report_id: int,
    member_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now_iso: str,
) -> None:
    """Keep every create, edit and withdrawal, so a figure can always be traced back."""
    await tx.execute(
        """INSERT INTO report_audit (report_id, member_id, action, before, after, at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (
            report_id,
            member_id,
            action,
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
            now_iso,
        ),
    )


async def get(tx: Tx, report_id: int) -> Row | None:
    """One report with its unit path (for scope checks) and reporter's name."""
    return await tx.fetchone(
        f"""SELECT {_COLUMNS}, u.path AS unit_path, u.name AS unit_name,
                   m.full_name AS reporter_name
            FROM reports r JOIN units u ON u.id = r.unit_id JOIN members m ON m.id = r.member_id
            WHERE r.id = ?""",
        (report_id,),
    )


async def recent_of_member(tx: Tx, member_id: int, limit: int) -> list[Row]:
    """A member's latest reports, newest first, for /baocaocuatoi."""
    return await tx.fetchall(
        f"""SELECT {_COLUMNS} FROM reports r WHERE r.member_id = ?
            ORDER BY r.created_at DESC, r.id DESC LIMIT ?""",
        (member_id, limit),
    )


async def find_nil(tx: Tx, member_id: int, report_date: str) -> Row | None:
    """The member's active nil report for a day, so a second tap does not file it twice."""
    return await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM reports r WHERE r.member_id = ? AND r.report_date = ?
            AND r.kind = 'nil' AND r.status = 'active'""",
        (member_id, report_date),
    )


async def update_data(
    tx: Tx, report_id: int, report_date: str, data: dict[str, Any], now_iso: str
) -> None:
    """Store an edited report's answers."""
    await tx.execute(
        "UPDATE reports SET data = ?, report_date = ?, updated_at = ? WHERE id = ?",
        (json.dumps(data, ensure_ascii=False), report_date, now_iso, report_id),
    )


async def withdraw(tx: Tx, report_id: int, now_iso: str) -> None:
    """Mark a report withdrawn; it stays in the audit trail but leaves every count."""
    await tx.execute(
        "UPDATE reports SET status = 'withdrawn', updated_at = ? WHERE id = ?",
        (now_iso, report_id),
    )


async def acknowledge(tx: Tx, report_id: int, member_id: int, now_iso: str) -> bool:
    """Store the first acknowledgement only; False when someone was faster."""
    cur = await tx.execute(
        """UPDATE reports SET ack_by = ?, ack_at = ?
           WHERE id = ? AND ack_by IS NULL AND urgent = 1""",
        (member_id, now_iso, report_id),
    )
    return cur.rowcount == 1


async def unacknowledged_in(tx: Tx, unit_path: str, limit: int) -> list[Row]:
    """Urgent reports below a unit still waiting for police, oldest first."""
    return await tx.fetchall(
        f"""SELECT {_COLUMNS}, u.name AS unit_name, m.full_name AS reporter_name
            FROM reports r JOIN units u ON u.id = r.unit_id JOIN members m ON m.id = r.member_id
            WHERE r.urgent = 1 AND r.ack_by IS NULL AND r.status = 'active'
              AND {within("u.path")}
            ORDER BY r.created_at LIMIT ?""",
        (*within_params(unit_path), limit),
    )


async def add_alert(tx: Tx, report_id: int, member_id: int, outbox_id: int) -> None:
    """Remember which outbox message carried the alert to which officer."""
    await tx.execute(
        "INSERT OR IGNORE INTO alerts (report_id, member_id, outbox_id) VALUES (?, ?, ?)",
        (report_id, member_id, outbox_id),
    )


async def alerts_of(tx: Tx, report_id: int) -> list[Row]:
    """The alert deliveries of a report with their outbox state."""
    return await tx.fetchall(
        """SELECT a.member_id, a.outbox_id, o.status, o.platform_message_id, o.channel,
                  o.chat_id
           FROM alerts a JOIN outbox o ON o.id = a.outbox_id WHERE a.report_id = ?""",
        (report_id,),
    )


def answers(row: Row) -> dict[str, Any]:
    """Decode the stored answers of a report."""
    return dict(json.loads(row["data"]))
