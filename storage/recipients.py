"""Who a planned message goes to, and where: one query for a whole audience.

Reminders, nudges, monthly tallies and announcements reach thousands of members at once, so
the best messenger account of each is chosen in SQL (a window over their identities) rather
than one lookup per member. Members with no reachable account come back with `channel`
NULL, so callers can count them instead of silently dropping them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from storage.db import Row, Tx
from storage.members import BEST_ACCOUNT_FIRST, Usable, usable_of
from storage.reports import CREDITED
from storage.subtree import within, within_params


@dataclass(frozen=True)
class Audience:
    """Which active members: under some units, with some roles, and what they owe on a day.

    `paths` are unit paths whose subtree is included (empty: everyone); `roles` empty means
    every role. `not_reported_on` keeps those with no active report (nor nil report) for
    that ISO date, nor a credit as a team-mate on someone's; `not_on_leave` drops those
    excused on that date.
    """

    paths: Sequence[str] = ()
    roles: Sequence[str] = ()
    unit_ids: Sequence[int] = ()
    not_reported_on: str | None = None
    not_on_leave: str | None = None
    exclude_member: int | None = None


@dataclass(frozen=True)
class Recipient:
    """One member of an audience and the account to reach them on (both None: no account)."""

    member_id: int
    full_name: str
    locale: str
    role: str
    unit_id: int
    unit_name: str
    unit_path: str
    channel: str | None
    chat_id: str | None

    @classmethod
    def from_row(cls, row: Row) -> Recipient:
        """The one place that maps the columns to fields, so callers never cast a column."""
        return cls(
            member_id=int(row["id"]),
            full_name=str(row["full_name"]),
            locale=str(row["locale"]),
            role=str(row["role"]),
            unit_id=int(row["unit_id"]),
            unit_name=str(row["unit_name"]),
            unit_path=str(row["unit_path"]),
            channel=None if row["channel"] is None else str(row["channel"]),
            chat_id=None if row["chat_id"] is None else str(row["chat_id"]),
        )


def _where(audience: Audience) -> tuple[str, list[Any]]:
    clauses = ["m.active = 1"]
    params: list[Any] = []
    if audience.paths:
        ors = []
        for path in audience.paths:
            ors.append(within("u.path"))
            params.extend(within_params(path))
        clauses.append("(" + " OR ".join(ors) + ")")
    if audience.roles:
        clauses.append(f"m.role IN ({','.join('?' for _ in audience.roles)})")
        params.extend(audience.roles)
    if audience.unit_ids:
        clauses.append(f"m.unit_id IN ({','.join('?' for _ in audience.unit_ids)})")
        params.extend(audience.unit_ids)
    if audience.not_reported_on is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM reports r WHERE r.member_id = m.id"
            " AND r.report_date = ? AND r.status = 'active')"
            f" AND NOT {CREDITED.format(day='?')}"
        )
        params.extend([audience.not_reported_on, audience.not_reported_on])
    if audience.not_on_leave is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM leaves l WHERE l.member_id = m.id"
            " AND l.cancelled_at IS NULL AND ? BETWEEN l.start_date AND l.end_date)"
        )
        params.append(audience.not_on_leave)
    if audience.exclude_member is not None:
        clauses.append("m.id <> ?")
        params.append(audience.exclude_member)
    return " AND ".join(clauses), params


async def audience(tx: Tx, who: Audience, served: Collection[str] | None) -> list[Recipient]:
    """Members matching `who`, each with the messenger account to use (or NULL channel).

    The account is the one `members.contact` picks (the same `BEST_ACCOUNT_FIRST` order):
    the preferred messenger, else the one last written from; never one marked unreachable;
    only messengers in `served` (None: any), so nothing waits in the queue of a messenger
    this process does not run; and when `served` carries a routing rule (several bots of a
    messenger), the best account on a bot that serves the member's unit.
    """
    where, params = _where(who)
    usable = usable_of(served)
    served_sql = ""
    served_params: list[Any] = []
    if served is not None:
        if not served:
            served_sql = "AND 0"
        else:
            served_sql = f"AND i.channel IN ({','.join('?' for _ in served)})"
            served_params = sorted(served)
    rows = await tx.fetchall(
        f"""WITH best AS (
              SELECT i.member_id, i.channel, i.chat_id,
                     ROW_NUMBER() OVER (
                       PARTITION BY i.member_id ORDER BY {BEST_ACCOUNT_FIRST}
                     ) AS rank
              FROM identities i JOIN members m ON m.id = i.member_id
              WHERE i.unreachable_at IS NULL {served_sql})
            SELECT m.id, m.full_name, m.locale, m.role, m.unit_id,
                   u.name AS unit_name, u.path AS unit_path, b.channel, b.chat_id
            FROM members m JOIN units u ON u.id = m.unit_id
            LEFT JOIN best b ON b.member_id = m.id {"" if usable else "AND b.rank = 1"}
            WHERE {where}
            ORDER BY u.path, m.id{", b.rank" if usable else ""}""",
        (*served_params, *params),
    )
    if usable is None:
        return [Recipient.from_row(row) for row in rows]
    return _first_usable(rows, usable)


def _first_usable(rows: list[Row], usable: Usable) -> list[Recipient]:
    """One recipient per member (rows come by member, best account first): the first account
    on a bot serving their unit, else none (counted as unreachable)."""
    chosen: dict[int, Recipient] = {}
    for row in rows:
        member_id = int(row["id"])
        found = chosen.get(member_id)
        if found is not None and found.channel is not None:
            continue
        channel = row["channel"]
        if channel is not None and usable(str(channel), str(row["unit_path"])):
            chosen[member_id] = Recipient.from_row(row)
        elif found is None:
            chosen[member_id] = replace(Recipient.from_row(row), channel=None, chat_id=None)
    return list(chosen.values())


async def reachable_count(tx: Tx, who: Audience, served: Collection[str] | None) -> tuple[int, int]:
    """(members who would get a message, members who cannot be reached) for a confirmation."""
    rows = await audience(tx, who, served)
    reached = sum(1 for r in rows if r.channel is not None)
    return reached, len(rows) - reached
