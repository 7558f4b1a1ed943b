"""Members and their messenger identities."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

from storage import memberships
from storage.db import Row, Tx
from storage.reports import CREDITED
from storage.subtree import holds, holds_params

SQL_VARIABLES = 900  # ids per IN (...) list: SQLite allows 999 bound variables by default

_MEMBER_COLUMNS = """
    m.id, m.unit_id, m.role, m.full_name, m.locale, m.active,
    u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind
"""


@dataclass(frozen=True)
class Member:
    """A member with their unit, as read by `_MEMBER_COLUMNS`: who is writing, or who is meant."""

    id: int
    unit_id: int
    role: str
    full_name: str
    locale: str
    active: bool
    unit_name: str
    unit_path: str
    unit_kind: str

    @classmethod
    def from_row(cls, row: Row) -> Member:
        """The one place that maps the columns to fields, so callers never cast a column."""
        return cls(
            id=int(row["id"]),
            unit_id=int(row["unit_id"]),
            role=str(row["role"]),
            full_name=str(row["full_name"]),
            locale=str(row["locale"]),
            active=bool(row["active"]),
            unit_name=str(row["unit_name"]),
            unit_path=str(row["unit_path"]),
            unit_kind=str(row["unit_kind"]),
        )


async def by_identity(tx: Tx, channel: str, user_id: str) -> Member | None:
    """Who is writing: the active member behind a platform user id, with their unit."""
    row = await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS} FROM identities i
            JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
            WHERE i.channel = ? AND i.user_id = ? AND m.active = 1""",
        (channel, user_id),
    )
    return Member.from_row(row) if row is not None else None


async def on_other_bot(tx: Tx, channels: Collection[str], user_id: str) -> Member | None:
    """The active member a user is on another bot of the same messenger (a Telegram user id
    is the same for every bot): who writes to a bot they are not yet linked on."""
    if not channels:
        return None
    marks = ",".join("?" for _ in channels)
    row = await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS} FROM identities i
            JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
            WHERE i.channel IN ({marks}) AND i.user_id = ? AND m.active = 1
            ORDER BY COALESCE(i.last_seen_at, i.linked_at) DESC LIMIT 1""",
        (*sorted(channels), user_id),
    )
    return Member.from_row(row) if row is not None else None


async def by_chat(tx: Tx, channel: str, chat_id: str) -> Member | None:
    """The active member a chat belongs to: a file or photo sent there is linked to them."""
    row = await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS} FROM identities i
            JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
            WHERE i.channel = ? AND i.chat_id = ? AND m.active = 1""",
        (channel, chat_id),
    )
    return Member.from_row(row) if row is not None else None


async def get(tx: Tx, member_id: int) -> Member | None:
    """One member with their unit, for names on receipts and alerts."""
    row = await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS} FROM members m JOIN units u ON u.id = m.unit_id
            WHERE m.id = ?""",
        (member_id,),
    )
    return Member.from_row(row) if row is not None else None


async def create(
    tx: Tx,
    unit_id: int,
    role: str,
    full_name: str,
    locale: str,
    now_iso: str,
    serves_from: date | None = None,
) -> int:
    """Add a member to a unit (an invite consumed, or a roster row), serving from
    `serves_from` (default: the day of `now_iso`): their first stretch of membership."""
    member_id = await tx.insert(
        "INSERT INTO members (unit_id, role, full_name, locale, joined_at) VALUES (?, ?, ?, ?, ?)",
        (unit_id, str(role), full_name, locale, now_iso),
    )
    start = serves_from or date.fromisoformat(now_iso[:10])
    await memberships.begin(tx, member_id, unit_id, role, start, now_iso)
    return member_id


async def link_identity(
    tx: Tx, channel: str, user_id: str, chat_id: str, member_id: int, now_iso: str
) -> None:
    """Tie a messenger account to a member; a re-join replaces the old link."""
    await tx.execute(
        """INSERT INTO identities (channel, user_id, chat_id, member_id, linked_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (channel, user_id) DO UPDATE SET
             chat_id = excluded.chat_id, member_id = excluded.member_id,
             linked_at = excluded.linked_at""",
        (channel, user_id, chat_id, member_id, now_iso),
    )


async def team_roster(tx: Tx, unit_id: int) -> list[Row]:
    """Active members of a team, in a stable order, for picking patrol team-mates."""
    return await tx.fetchall(
        "SELECT id, full_name, role FROM members WHERE unit_id = ? AND active = 1 ORDER BY id",
        (unit_id,),
    )


Usable = Callable[[str, str], bool]  # (channel, the member's unit path) -> may carry it


class Served(frozenset[str]):
    """The channels this process delivers to and, when several bots share a messenger, which
    of them may carry a member's messages (`usable`, by the member's unit path): callers
    pass it where a plain set of channel names went before."""

    usable: Usable | None

    def __new__(cls, channels: Iterable[str], usable: Usable | None = None) -> Served:
        """A frozen set of channel names that also carries the routing rule."""
        served = super().__new__(cls, channels)
        served.usable = usable
        return served


def usable_of(served: Collection[str] | None) -> Usable | None:
    """The routing rule `served` carries, if any."""
    return getattr(served, "usable", None)


# Which of a member's accounts gets what the bot starts: the messenger they chose, else the
# one they wrote from last (aliases: i = identities, m = members). Shared with the one-query
# audiences of storage.recipients, so a reminder and an alert go to the same place.
BEST_ACCOUNT_FIRST = (
    "(i.channel = m.preferred_channel"
    " OR substr(i.channel, 1, length(m.preferred_channel) + 1) = m.preferred_channel || ':') DESC,"
    " COALESCE(i.last_seen_at, i.linked_at) DESC, i.linked_at DESC"
)


async def contact(tx: Tx, member_id: int, served: Collection[str] | None = None) -> Row | None:
    """Where to reach a member: the messenger they chose, else the one they wrote from last,
    never an account whose messenger said the user blocked the bot, and (several bots) only
    through a bot that serves their unit.

    `served` limits the answer to messengers this process delivers to, so an alert never
    waits in the queue of a messenger that is not running when another one would reach them.
    """
    marks = ""
    params: list[object] = [member_id]
    if served is not None:
        if not served:
            return None
        marks = f"AND i.channel IN ({','.join('?' for _ in served)})"
        params.extend(sorted(served))
    usable = usable_of(served)
    rows = await tx.fetchall(
        f"""SELECT i.channel, i.chat_id, u.path AS unit_path FROM identities i
            JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
            WHERE i.member_id = ? AND i.unreachable_at IS NULL {marks}
            ORDER BY {BEST_ACCOUNT_FIRST}
            {"" if usable else "LIMIT 1"}""",
        params,
    )
    for row in rows:
        if usable is None or usable(str(row["channel"]), str(row["unit_path"])):
            return row
    return None


async def identities_of(tx: Tx, member_id: int) -> list[Row]:
    """Every messenger account of a member, for choosing where alerts go."""
    return await tx.fetchall(
        """SELECT channel, user_id, chat_id, linked_at, last_seen_at FROM identities
           WHERE member_id = ? ORDER BY linked_at""",
        (member_id,),
    )


async def touch(tx: Tx, channel: str, user_id: str, now_iso: str) -> None:
    """Remember that the member just wrote from this messenger (it becomes the last used);
    someone who writes again has unblocked the bot, so they are reachable again. Sent with
    the transaction's next trip: nothing waits for it."""
    tx.queue(
        "UPDATE identities SET last_seen_at = ?, unreachable_at = NULL "
        "WHERE channel = ? AND user_id = ?",
        (now_iso, channel, user_id),
    )


async def preferred_channel(tx: Tx, member_id: int) -> str | None:
    """The messenger a member chose for alerts, or None for 'the last one used'."""
    row = await tx.fetchone("SELECT preferred_channel FROM members WHERE id = ?", (member_id,))
    return str(row["preferred_channel"]) if row and row["preferred_channel"] else None


async def set_preferred_channel(tx: Tx, member_id: int, channel: str | None) -> None:
    """Pin alerts and reminders to one messenger (None: follow the last one used)."""
    await tx.execute("UPDATE members SET preferred_channel = ? WHERE id = ?", (channel, member_id))


async def officers_over(tx: Tx, unit_path: str, roles: tuple[str, ...]) -> list[Row]:
    """Members with one of `roles` whose unit contains `unit_path` (itself or an ancestor)."""
    marks = ",".join("?" for _ in roles)
    return await tx.fetchall(
        f"""SELECT m.id, m.full_name, m.locale FROM members m JOIN units u ON u.id = m.unit_id
            WHERE m.active = 1 AND m.role IN ({marks})
              AND {holds("u.path")}
            ORDER BY m.id""",
        (*roles, *holds_params(unit_path)),
    )


async def set_locale(tx: Tx, member_id: int, locale: str) -> None:
    """Remember the language a member chose; every later message uses it."""
    await tx.execute("UPDATE members SET locale = ? WHERE id = ?", (locale, member_id))


async def mark_unreachable(tx: Tx, channel: str, chat_id: str, now_iso: str) -> int:
    """The messenger says this chat blocked the bot: stop queuing for it until they write."""
    cur = await tx.execute(
        "UPDATE identities SET unreachable_at = ? "
        "WHERE channel = ? AND chat_id = ? AND unreachable_at IS NULL",
        (now_iso, channel, chat_id),
    )
    return cur.rowcount


async def names_of(tx: Tx, ids: Iterable[int]) -> dict[int, str]:
    """Full names of the given members (a report's team-mates in a file): one query, split in
    chunks under SQLite's limit on bound variables."""
    wanted = sorted(set(ids))
    names: dict[int, str] = {}
    for start in range(0, len(wanted), SQL_VARIABLES):
        chunk = wanted[start : start + SQL_VARIABLES]
        marks = ", ".join("?" * len(chunk))
        rows = await tx.fetchall(f"SELECT id, full_name FROM members WHERE id IN ({marks})", chunk)
        names.update((int(r["id"]), str(r["full_name"])) for r in rows)
    return names


async def led_teams_on(tx: Tx, day_iso: str, roles: Collection[str]) -> list[Row]:
    """The members in `roles` of every team that had a leader on `day_iso`, each with
    whether they reported that day (or were credited as someone's team-mate) and whether
    they were on leave: the leaders' digest. Read from the stretches that held on that day
    (`memberships`), so the digest of a past day lists that day's team, not today's."""
    marks = ",".join("?" for _ in roles)
    serving = "start_date <= ?1 AND (end_date IS NULL OR end_date >= ?1)"
    return await tx.fetchall(
        f"""SELECT m.id, s.unit_id AS unit_id, m.full_name, s.role AS role,
                   EXISTS (SELECT 1 FROM reports r WHERE r.member_id = m.id
                           AND r.report_date = ?1 AND r.status = 'active')
                   OR {CREDITED.format(day="?1")} AS reported,
                   EXISTS (SELECT 1 FROM leaves l WHERE l.member_id = m.id
                           AND l.cancelled_at IS NULL
                           AND ?1 BETWEEN l.start_date AND l.end_date) AS on_leave
            FROM memberships s JOIN members m ON m.id = s.member_id
            WHERE s.start_date <= ?1 AND (s.end_date IS NULL OR s.end_date >= ?1)
              AND s.role IN ({marks})
              AND s.unit_id IN (SELECT unit_id FROM memberships WHERE role = 'leader'
                                AND {serving})
            ORDER BY s.unit_id, m.full_name""",
        (day_iso, *roles),
    )


async def set_phone(tx: Tx, member_id: int, phone: str | None) -> None:
    """Keep (or, with None, forget) the number the officers see on a member's alerts."""
    await tx.execute("UPDATE members SET phone = ? WHERE id = ?", (phone, member_id))


async def phone_of(tx: Tx, member_id: int) -> str | None:
    """A member's phone number when known, so the officer an alert reaches can call the
    reporter back at once."""
    row = await tx.fetchone("SELECT phone FROM members WHERE id = ?", (member_id,))
    phone = None if row is None else row["phone"]
    return str(phone).strip() or None if phone is not None else None
