"""Reports, their numbers, team-mates, photos and audit trail."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from storage import incidents
from storage.db import Row, Tx
from storage.subtree import within, within_params

_COLUMNS = """r.id, r.number, r.member_id, r.unit_id, r.kind, r.report_date, r.data, r.status,
    r.urgent, r.created_at, r.updated_at, r.edit_until, r.ack_by, r.ack_at, r.state,
    r.duplicate_of, r.confirmed_at"""

# A team-mate named on someone's active report for the day was out with them: credited as
# having reported (no reminder, not listed as missing in the leader's digest). For a query
# over members `m`; `{day}` is the placeholder of the ISO date.
CREDITED = """EXISTS (SELECT 1 FROM report_participants p JOIN reports r ON r.id = p.report_id
    WHERE p.member_id = m.id AND r.report_date = {day} AND r.status = 'active')"""


@dataclass(frozen=True)
class Report:
    """A report as read by `_COLUMNS`, its answers decoded; ack_by/ack_at None until
    police acknowledge it."""

    id: int
    number: str
    member_id: int
    unit_id: int
    kind: str
    report_date: str
    answers: dict[str, Any]
    status: str
    urgent: bool
    created_at: str
    updated_at: str
    edit_until: str
    ack_by: int | None
    ack_at: str | None
    # The urgent report's life (bot/reports/lifecycle.py); None for other reports.
    state: str | None
    duplicate_of: int | None
    confirmed_at: str | None  # an officer confirmed the fields feeding a target

    @classmethod
    def from_row(cls, row: Row) -> Report:
        """The one place that maps the columns to fields, so callers never cast a column."""
        return cls(**_report_fields(row))


@dataclass(frozen=True)
class NamedReport(Report):
    """A report with its unit's path and name and its reporter's name, for scope checks and
    the lines police read."""

    unit_path: str
    unit_name: str
    reporter_name: str

    @classmethod
    def from_row(cls, row: Row) -> NamedReport:
        """The report's columns plus the joined names."""
        return cls(
            **_report_fields(row),
            unit_path=str(row["unit_path"]),
            unit_name=str(row["unit_name"]),
            reporter_name=str(row["reporter_name"]),
        )


def _report_fields(row: Row) -> dict[str, Any]:
    ack_by = row["ack_by"]
    ack_at = row["ack_at"]
    return {
        "id": int(row["id"]),
        "number": str(row["number"]),
        "member_id": int(row["member_id"]),
        "unit_id": int(row["unit_id"]),
        "kind": str(row["kind"]),
        "report_date": str(row["report_date"]),
        "answers": dict(json.loads(row["data"])),
        "status": str(row["status"]),
        "urgent": bool(row["urgent"]),
        "created_at": str(row["created_at"]),
        "updated_at": str(row["updated_at"]),
        "edit_until": str(row["edit_until"]),
        "ack_by": None if ack_by is None else int(ack_by),
        "ack_at": None if ack_at is None else str(ack_at),
        "state": _text_or_none(row["state"]),
        "duplicate_of": None if row["duplicate_of"] is None else int(row["duplicate_of"]),
        "confirmed_at": _text_or_none(row["confirmed_at"]),
    }


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


NUMBER_DIGITS = 6  # BC-2026-000123: at least six digits, more past 999,999 (BC-2026-1000000)


def number_text(year: int, seq: int) -> str:
    """The number of a year's `seq`-th report: the one shape every parser reads back
    (bot/reports/numbers.py); past 999,999 it grows a digit rather than wrapping or failing."""
    return f"BC-{year:04d}-{seq:0{NUMBER_DIGITS}d}"


async def next_number(tx: Tx, year: int) -> str:
    """Allocate the human report number BC-YYYY-NNNNNN, counted per year, inside the save."""
    name = f"report:{year}"
    row = await tx.fetchone(
        """INSERT INTO counters (name, value) VALUES (?, 1)
           ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
           RETURNING value""",
        (name,),
    )
    assert row is not None
    return number_text(year, int(row["value"]))


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
    """Replace the team-mates recorded on a report (patrol participation); sent with the
    transaction's next trip, as nothing waits for it."""
    tx.queue("DELETE FROM report_participants WHERE report_id = ?", (report_id,))
    for member_id in sorted(set(member_ids)):
        tx.queue(
            "INSERT INTO report_participants (report_id, member_id) VALUES (?, ?)",
            (report_id, member_id),
        )


async def set_media(tx: Tx, report_id: int, channel: str, media: dict[str, list[str]]) -> None:
    """Replace the photo references of a report, per form field; sent with the
    transaction's next trip."""
    tx.queue("DELETE FROM report_media WHERE report_id = ?", (report_id,))
    for field, refs in media.items():
        for ref in refs:
            tx.queue(
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
    """Keep every create, edit and withdrawal, so a figure can always be traced back; sent
    with the transaction's next trip."""
    tx.queue(
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


async def get(tx: Tx, report_id: int) -> NamedReport | None:
    """One report with its unit path (for scope checks) and reporter's name."""
    row = await tx.fetchone(
        f"""SELECT {_COLUMNS}, u.path AS unit_path, u.name AS unit_name,
                   m.full_name AS reporter_name
            FROM reports r JOIN units u ON u.id = r.unit_id JOIN members m ON m.id = r.member_id
            WHERE r.id = ?""",
        (report_id,),
    )
    return NamedReport.from_row(row) if row is not None else None


async def recent_of_member(tx: Tx, member_id: int, limit: int) -> list[Report]:
    """A member's latest reports, newest first, for /baocaocuatoi."""
    rows = await tx.fetchall(
        f"""SELECT {_COLUMNS} FROM reports r WHERE r.member_id = ?
            ORDER BY r.created_at DESC, r.id DESC LIMIT ?""",
        (member_id, limit),
    )
    return [Report.from_row(row) for row in rows]


async def find_nil(tx: Tx, member_id: int, report_date: str) -> Report | None:
    """The member's active nil report for a day, so a second tap does not file it twice."""
    row = await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM reports r WHERE r.member_id = ? AND r.report_date = ?
            AND r.kind = 'nil' AND r.status = 'active'""",
        (member_id, report_date),
    )
    return Report.from_row(row) if row is not None else None


async def find_real(tx: Tx, member_id: int, report_date: str) -> Report | None:
    """The member's first active report for a day other than a nil one: a nil report that
    day would contradict it."""
    row = await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM reports r WHERE r.member_id = ? AND r.report_date = ?
            AND r.kind <> 'nil' AND r.status = 'active' ORDER BY r.id LIMIT 1""",
        (member_id, report_date),
    )
    return Report.from_row(row) if row is not None else None


async def participants_of(tx: Tx, report_id: int) -> list[int]:
    """The team-mates a report credits now, so an edit notifies only those it adds."""
    rows = await tx.fetchall(
        "SELECT member_id FROM report_participants WHERE report_id = ? ORDER BY member_id",
        (report_id,),
    )
    return [int(row["member_id"]) for row in rows]


async def remove_participant(tx: Tx, report_id: int, member_id: int) -> bool:
    """Un-credit one team-mate (they said it was not them); False when not credited."""
    cur = await tx.execute(
        "DELETE FROM report_participants WHERE report_id = ? AND member_id = ?",
        (report_id, member_id),
    )
    return cur.rowcount == 1


async def has_audit(tx: Tx, report_id: int, member_id: int, action: str) -> bool:
    """Whether a member already did `action` to a report (a second press of a button)."""
    row = await tx.fetchone(
        """SELECT 1 FROM report_audit WHERE report_id = ? AND member_id = ? AND action = ?
           LIMIT 1""",
        (report_id, member_id, action),
    )
    return row is not None


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
    """Store the first acknowledgement only (the report is then taken up, a step of its
    life); False when someone was faster."""
    cur = await tx.execute(
        """UPDATE reports SET ack_by = ?, ack_at = ?, state = 'acknowledged', state_at = ?
           WHERE id = ? AND ack_by IS NULL AND urgent = 1""",
        (member_id, now_iso, now_iso, report_id),
    )
    if cur.rowcount != 1:
        return False
    await incidents.add_event(tx, report_id, member_id, "acknowledged", now_iso)
    return True


async def unacknowledged_in(tx: Tx, unit_path: str, limit: int) -> list[NamedReport]:
    """Urgent reports below a unit still waiting for police, oldest first."""
    rows = await tx.fetchall(
        f"""SELECT {_COLUMNS}, u.path AS unit_path, u.name AS unit_name,
                   m.full_name AS reporter_name
            FROM reports r JOIN units u ON u.id = r.unit_id JOIN members m ON m.id = r.member_id
            WHERE r.urgent = 1 AND r.ack_by IS NULL AND r.status = 'active'
              AND {within("u.path")}
            ORDER BY r.created_at LIMIT ?""",
        (*within_params(unit_path), limit),
    )
    return [NamedReport.from_row(row) for row in rows]


async def add_alert(tx: Tx, report_id: int, member_id: int, outbox_id: int, step: int) -> None:
    """Remember which outbox message carried the alert to which person at which step of the
    ladder (0 = the first alert), so acknowledging can stop or close every one of them."""
    await tx.execute(
        "INSERT OR IGNORE INTO alerts (report_id, member_id, step, outbox_id) VALUES (?, ?, ?, ?)",
        (report_id, member_id, step, outbox_id),
    )


async def alerts_of(tx: Tx, report_id: int) -> list[Row]:
    """The alert deliveries of a report with their outbox state, every step, in order."""
    return await tx.fetchall(
        """SELECT a.member_id, a.step, a.outbox_id, o.status, o.platform_message_id,
                  o.channel, o.chat_id, o.not_before, o.sent_at, m.full_name
           FROM alerts a JOIN outbox o ON o.id = a.outbox_id
           JOIN members m ON m.id = a.member_id
           WHERE a.report_id = ? ORDER BY a.step, o.not_before, a.member_id""",
        (report_id,),
    )


async def alerted(tx: Tx, report_id: int) -> list[Row]:
    """Each officer an alert of the report went (or is going) to, once, with where and when
    their first alert is due and whether it was urgent: a later change to the report
    follows the alert there, never before it (a later step of the ladder is not waited
    for). Alerts withdrawn before delivery (someone acknowledged first) do not count: that
    officer never read the report."""
    return await tx.fetchall(
        """SELECT a.member_id, m.locale, o.channel, o.chat_id, o.not_before, o.urgent
           FROM alerts a JOIN outbox o ON o.id = a.outbox_id JOIN members m ON m.id = a.member_id
           WHERE a.report_id = ? AND o.status != 'cancelled'
             AND a.step = (SELECT MIN(b.step) FROM alerts b JOIN outbox p ON p.id = b.outbox_id
                           WHERE b.report_id = a.report_id AND b.member_id = a.member_id
                             AND p.status != 'cancelled')
           ORDER BY a.member_id""",
        (report_id,),
    )


async def was_alerted(tx: Tx, report_id: int, member_id: int) -> bool:
    """Whether an alert of this report reached this person (at any step): a supervisor the
    ladder reached may acknowledge it like an officer."""
    row = await tx.fetchone(
        """SELECT 1 FROM alerts a JOIN outbox o ON o.id = a.outbox_id
           WHERE a.report_id = ? AND a.member_id = ? AND o.status = 'sent'""",
        (report_id, member_id),
    )
    return row is not None


def answers(report: Report) -> dict[str, Any]:
    """A report's answers as a copy the caller may change (a dialog edits them in its
    state), so the report itself stays as it was read."""
    return copy.deepcopy(report.answers)


async def usual_shifts(
    tx: Tx, unit_id: int, kind: str, start_key: str, end_key: str, since: str, limit: int = 3
) -> list[tuple[str, str]]:
    """A team's most frequent (start, end) times in one kind's active reports since a day,
    most frequent first: the shifts the wizard offers as buttons."""
    rows = await tx.fetchall(
        """SELECT start, "end", COUNT(*) AS n, MAX(created_at) AS last
           FROM (SELECT json_extract(data, '$.' || ?) AS start,
                        json_extract(data, '$.' || ?) AS "end", created_at
                 FROM reports
                 WHERE unit_id = ? AND kind = ? AND status = 'active' AND report_date >= ?
                ) AS shifts
           WHERE start IS NOT NULL AND "end" IS NOT NULL
           GROUP BY start, "end" ORDER BY n DESC, last DESC LIMIT ?""",
        (start_key, end_key, unit_id, kind, since, limit),
    )
    return [(str(r["start"]), str(r["end"])) for r in rows]


async def last_of_kind(tx: Tx, member_id: int, kind: str) -> Report | None:
    """A member's latest active report of a kind, which "same as last time" copies."""
    row = await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM reports r
            WHERE r.member_id = ? AND r.kind = ? AND r.status = 'active'
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1""",
        (member_id, kind),
    )
    return Report.from_row(row) if row is not None else None
