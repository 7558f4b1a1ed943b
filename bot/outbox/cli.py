"""`antt-bot outbox`: the operator's view of the message queue, and a way to retry.

The sender marks a message given_up after too many transient failures and unreachable when
the messenger says the user blocked the bot; both stay silent in the chat, so the operator
needs a place to see them. Only member ids and dedupe keys are printed: chat ids, names and
message texts never reach the terminal (or the logs an operator pastes into a ticket).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.core import dates
from bot.core.cli_support import existing_database, local_time, parse_stored
from bot.core.clock import SystemClock, iso
from bot.core.config import Config
from bot.outbox.quiet import in_quiet_hours, quiet_ends
from storage import outbox
from storage.db import Row, Store, Tx
from storage.stores import open_store, shown

STATUSES = (
    "pending",
    "failing",
    "given_up",
    "unreachable",
    "expired",
    "sent",
    "sending",
    "cancelled",
    "all",
)
# The order a status appears in the summary: the queue first, then how rows ended.
_ORDER = ("pending", "sending", "sent", "given_up", "unreachable", "expired", "cancelled")
# What `antt-bot outbox` shows without --status: the rows that need a look.
_ATTENTION = ("failing", "waiting", "given_up", "unreachable")
_TITLES = {
    "pending": "Pending (queue order)",
    "waiting": "Pending, not tried yet (queue order)",
    "failing": "Failing: pending, already tried, retried with backoff (next try first)",
    "sending": "Being sent right now (claimed by a sender)",
    "sent": "Sent (newest first)",
    "given_up": "Given up after too many failures (newest first)",
    "unreachable": "Unreachable: the messenger says the user blocked the bot (newest first)",
    "expired": "Expired: too late to matter, not sent (newest first)",
    "cancelled": "Cancelled before sending (newest first)",
    "all": "All messages (newest first)",
}
_LONG_NUMBER = re.compile(r"\d{7,}")  # a chat or user id inside a platform's error text
_ERROR_WIDTH = 60


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `outbox`, `outbox list` and `outbox retry` on the main parser."""
    box = sub.add_parser(
        "outbox",
        help="the message queue: pending, failing, given-up and unreachable messages",
        description="Show the outbox (same as `outbox list`), or retry given-up messages.",
    )
    _list_options(box)
    _common_options(box, False)
    actions = box.add_subparsers(dest="outbox_command")
    listing = actions.add_parser(
        "list", help="counts per channel and status, then the rows that need attention"
    )
    _list_options(listing)
    _common_options(listing, argparse.SUPPRESS)
    retry = actions.add_parser("retry", help="put given-up messages back in the queue")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="the id of one given-up message")
    which.add_argument("--all-given-up", action="store_true", help="requeue every given-up message")
    _common_options(retry, argparse.SUPPRESS)


def _list_options(parser: argparse.ArgumentParser) -> None:
    """The filters of the listing, on `outbox` and on `outbox list` alike.

    Defaults are suppressed on both and applied in run(), so `outbox --limit 5 list` keeps
    the 5 instead of the sub-command's default overwriting it.
    """
    parser.add_argument(
        "--status",
        choices=STATUSES,
        default=argparse.SUPPRESS,
        help="show only these rows (default: failing, pending, given up and unreachable)",
    )
    parser.add_argument(
        "--limit",
        type=_positive,
        default=argparse.SUPPRESS,
        metavar="N",
        help="at most N rows per section (default: 50)",
    )


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--demo, accepted before or after the action (`outbox --demo retry 3`)."""
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default,
        help="use the terminal demo's database",
    )


def _positive(text: str) -> int:
    """--limit must be a whole number above zero; argparse turns the error into exit code 2."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


async def run(config: Config, args: argparse.Namespace) -> int:
    """Open the configured (or demo) database and list or retry; returns the exit code."""
    path = existing_database(config, bool(getattr(args, "demo", False)))
    if path is None:
        return 1
    clock = SystemClock(config.bot.timezone)
    db = await open_store(str(path))
    try:
        if getattr(args, "outbox_command", None) == "retry":
            return await _retry(db, clock, args)
        status = getattr(args, "status", None)
        limit = getattr(args, "limit", 50)
        now = clock.now()
        rem = config.reminders
        quiet = in_quiet_hours(now, rem.quiet_start, rem.quiet_end)
        at = _When(
            now, clock.tz, quiet_ends(now, rem.quiet_start, rem.quiet_end) if quiet else None
        )
        async with db.read() as tx:
            lines = await _report(tx, path, at, status, limit)
    finally:
        await db.close()
    print("\n".join(lines))
    return 0


async def _retry(db: Store, clock: SystemClock, args: argparse.Namespace) -> int:
    """Requeue one given-up message (refusing anything else) or all of them."""
    if args.all_given_up:
        async with db.transaction() as tx:
            count = await outbox.requeue(tx, None, iso(clock.now()))
        if count == 0:
            print("No given-up messages to retry.")
        else:
            noun, them = ("message", "it") if count == 1 else ("messages", "them")
            print(f"Requeued {count:,} given-up {noun}; the running bot sends {them} shortly.")
        return 0
    return await _retry_one(db, clock, args.id)


async def _retry_one(db: Store, clock: SystemClock, outbox_id: int) -> int:
    """Requeue one message, checked and changed in the same transaction (no race)."""
    now = clock.now()
    async with db.transaction() as tx:
        row = await outbox.get(tx, outbox_id)
        if row is None:
            print(f"antt-bot: no outbox message with id {outbox_id}", file=sys.stderr)
            return 1
        if row.status != "given_up":
            print(
                f"antt-bot: message {outbox_id} is {row.status}, not given_up; "
                "only given-up messages can be retried",
                file=sys.stderr,
            )
            return 1
        await outbox.requeue(tx, outbox_id, iso(now))
    print(f"Requeued given-up message {outbox_id} ({row.dedupe_key}).")
    expires = parse_stored(row.expires_at, clock.tz)
    if expires is not None and expires <= now:
        print(
            f"Note: it expired at {local_time(row.expires_at, clock.tz)}; the sender will mark "
            "it expired instead of sending it.",
            file=sys.stderr,
        )
    return 0


async def _report(tx: Tx, path: str, at: _When, status: str | None, limit: int) -> list[str]:
    """The whole listing as lines: header, summary table, then one section per view."""
    lines = [f"Outbox of {shown(path)}, at {dates.shell_stamp(at.now)} ({at.tz})"]
    if at.quiet_until is not None:
        until = dates.clock(at.quiet_until)
        lines.append(f"Quiet hours until {until}: only urgent messages go out.")
    lines.append("")
    groups = await outbox.summary(tx)
    if not groups:
        return [*lines, "The outbox is empty."]
    lines += _summary(groups, at.tz)
    given_up = 0
    for view in _ATTENTION if status is None else (status,):
        rows, total = await outbox.operator_view(tx, view, limit)
        lines += ["", *_section(view, rows, total, at)]
        given_up += total if view == "given_up" else 0
    if given_up:
        lines += [
            "",
            "Retry: `antt-bot outbox retry ID`, or `antt-bot outbox retry --all-given-up`.",
        ]
    return lines


def _summary(groups: Sequence[Row], tz: tzinfo) -> list[str]:
    """Counts per channel and status, the queue's statuses first, with a total line."""

    def rank(row: Row) -> tuple[str, int]:
        """Channel, then the status's place in a message's life (unknown ones last)."""
        name = str(row["status"])
        return str(row["channel"]), _ORDER.index(name) if name in _ORDER else len(_ORDER)

    body = [
        [str(g["channel"]), str(g["status"]), f"{int(g['n']):,}", local_time(g["oldest"], tz)]
        for g in sorted(groups, key=rank)
    ]
    total = sum(int(g["n"]) for g in groups)
    body.append(["", "total", f"{total:,}", ""])
    return _table(["channel", "status", "count", "oldest planned"], body, right={2})


@dataclass(frozen=True)
class _When:
    """The moment the listing describes: now, the zone to show times in, and when the
    current quiet hours end (None outside them)."""

    now: datetime
    tz: tzinfo
    quiet_until: datetime | None


@dataclass(frozen=True)
class _Column:
    """One column of a section: its header, how a row fills it, and its alignment."""

    header: str
    value: Callable[[Row, _When], str]
    right: bool = False


def _member(row: Row, _at: _When) -> str:
    """Member id, or '-' for messages not addressed to a member."""
    return "-" if row["member_id"] is None else str(row["member_id"])


def _state(row: Row, at: _When) -> str:
    """Whether a queued message goes on the next round, and whether it is urgent.

    The sender holds non-urgent messages during quiet hours and drops those past their
    expiry, so "due" alone would promise a message that is not about to go.
    """
    when = parse_stored(row["not_before"], at.tz)
    expires = parse_stored(row["expires_at"], at.tz)
    if row["urgent"]:
        return "due now, urgent" if when is None or when <= at.now else "later, urgent"
    if when is not None and when > at.now:
        return "later"
    if expires is not None and expires <= at.now:
        return "too late: will expire"
    if at.quiet_until is not None:
        return f"after quiet hours ({dates.clock(at.quiet_until)})"
    return "due now"


def _error(row: Row, _at: _When) -> str:
    """The platform's last error, on one short line, with any long number (an id) hidden."""
    text = row["last_error"]
    if not text:
        return "-"
    flat = _LONG_NUMBER.sub("…", " ".join(str(text).split()))
    return flat if len(flat) <= _ERROR_WIDTH else flat[: _ERROR_WIDTH - 1] + "…"


def _time(key: str) -> Callable[[Row, _When], str]:
    """A column showing one of the row's stored times in local time."""

    def show(row: Row, at: _When) -> str:
        """The stored ISO time of `key` as dd/mm/yyyy HH:MM in the configured zone."""
        return local_time(row[key], at.tz)

    return show


def _field(key: str) -> Callable[[Row, _When], str]:
    """A column showing a stored value as it is."""

    def show(row: Row, _at: _When) -> str:
        """The value of `key`, or '-' when it is empty."""
        return "-" if row[key] is None else str(row[key])

    return show


_ID = _Column("id", _field("id"), right=True)
_CHANNEL = _Column("channel", _field("channel"))
_MEMBER = _Column("member", _member, right=True)
_KEY = _Column("key", _field("dedupe_key"))
_TRIES = _Column("tries", _field("attempts"), right=True)
_ERROR = _Column("last error", _error)
_HEAD = [_ID, _CHANNEL, _MEMBER, _KEY]
_QUEUED = [*_HEAD, _Column("next try", _time("not_before")), _Column("state", _state)]
_ENDED = [*_HEAD, _Column("queued", _time("created_at")), _Column("last try", _time("not_before"))]
_LAYOUTS: dict[str, list[_Column]] = {
    "pending": [*_QUEUED, _TRIES, _ERROR],
    "waiting": _QUEUED,
    "failing": [*_QUEUED, _TRIES, _ERROR],
    "sending": [*_QUEUED, _TRIES, _ERROR],
    "sent": [*_HEAD, _Column("sent", _time("sent_at")), _TRIES],
    "all": [
        *_HEAD,
        _Column("status", _field("status")),
        _Column("planned", _time("not_before")),
        _TRIES,
        _ERROR,
    ],
}


def _section(view: str, rows: Sequence[Row], total: int, at: _When) -> list[str]:
    """A titled table of one view; says when the limit hides rows."""
    if not rows:
        return [f"{_TITLES[view]}: none"]
    title = f"{_TITLES[view]}: {total:,}"
    if len(rows) < total:
        title += f", {len(rows):,} shown (--limit)"
    columns = _LAYOUTS.get(view, [*_ENDED, _TRIES, _ERROR])
    body = [[c.value(row, at) for c in columns] for row in rows]
    right = {i for i, c in enumerate(columns) if c.right}
    return [title, *_table([c.header for c in columns], body, right=right, indent="  ")]


def _table(
    headers: Sequence[str], body: Sequence[Sequence[str]], *, right: set[int], indent: str = ""
) -> list[str]:
    """Plain aligned columns, two spaces apart; the last column is not padded."""
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        """One row, each cell padded to its column's width."""
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return [line(headers), *(line(r) for r in body)]
