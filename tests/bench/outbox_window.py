"""The duplicate window, measured: what a kill -9 finds delivered but not marked, and how long
every message of a run spends between the fake's acceptance and its mark's commit.

A row is sent twice only if the process dies after the platform accepted it and before the
row's 'sent' mark committed. Two measurements of that window:

- At each kill: the rows the SQLite file shows claimed but not marked ('sending') once the
  process is dead, and, of those, the ones the fake had accepted. The restarted bot sends
  exactly these again, so they are the kill's duplicates; for each, how many ms before the
  kill the fake accepted it and whether its answer had already left the fake (if so, the bot
  held the answer and had not yet committed the mark: the part of the window that is the
  bot's own).
- Without killing: for every message, the fake's acceptance time against the time of the
  sender's "outbox sent" log line, written right after the mark commits (the bench starts the
  bot through tests/bench/outbox_bot.py, which gives that line a precise time). Both are
  time.time() on one machine.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.outbox_data import ident
from tests.bench.outbox_fake import Accepted


@dataclass
class Kill:
    """One SIGKILL: when (time.monotonic, just before the signal), the count accepted by then,
    the rows found claimed but unmarked in the file once the process was dead, and when the
    killed process and the next one started (acceptances in between came from the killed one).
    """

    at: float
    accepted: int
    started: float
    claimed: list[str] = field(default_factory=list)
    restarted: float = float("inf")


@dataclass(frozen=True)
class Duplicate:
    """A row the killed process had delivered but not marked: it will be sent again."""

    tag: str
    before_kill_ms: float  # kill time minus acceptance (negative: accepted after the kill)
    answered_before_kill: bool  # the fake's answer had left before the kill


def _idents(db_path: Path, where: str) -> dict[int, str]:
    """Row id to delivery identity (tag@chat) of the tagged rows matching `where`, read without
    changing the file (read-only: closing does not checkpoint, so a restart after a kill
    finds the log as the kill left it)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute(f"SELECT id, chat_id, payload FROM outbox WHERE {where}").fetchall()
    conn.close()
    found = {}
    for outbox_id, chat_id, payload in rows:
        key = ident(str(json.loads(payload).get("text", "")), chat_id)
        if key:
            found[int(outbox_id)] = key
    return found


def claimed_idents(db_path: Path) -> list[str]:
    """The deliveries claimed but not marked: what the restarted sender will send again."""
    return sorted(_idents(db_path, "status = 'sending'").values())


def id_idents(db_path: Path) -> dict[int, str]:
    """Every tagged row's id to its identity (the log names rows by id)."""
    return _idents(db_path, "1 = 1")


def duplicates_of(kill: Kill, accepted: list[Accepted]) -> list[Duplicate]:
    """The claimed rows of a kill that the killed process had got accepted."""
    claimed = set(kill.claimed)
    found = []
    for a in reversed(accepted):  # its last acceptance, should an earlier process have sent it
        key = ident(a.text, a.chat_id)
        if key in claimed and kill.started <= a.at < kill.restarted:
            claimed.discard(key)
            answered = a.answered is not None and a.answered < kill.at
            found.append(Duplicate(key, (kill.at - a.at) * 1000, answered))
    return found


def marks_logged(log_text: str) -> list[tuple[int, float]]:
    """(outbox id, time.time()) of every "outbox sent" line the bench's bot wrote."""
    found = []
    for line in log_text.splitlines():
        if '"outbox sent"' not in line or not line.startswith("{"):
            continue
        entry = json.loads(line)
        if "at" in entry and "outbox_id" in entry:
            found.append((int(entry["outbox_id"]), float(entry["at"])))
    return found


@dataclass(frozen=True)
class MarkDelays:
    """Per message, ms from the fake's acceptance to the mark, and from the moment its answer
    had been written (the bot's own share, give or take the fake's scheduling) to the mark."""

    accepted_ms: list[float]
    answered_ms: list[float]


def mark_delays(
    accepted: list[Accepted], marks: Iterable[tuple[int, float]], idents: dict[int, str]
) -> MarkDelays:
    """Match each logged mark with the latest acceptance of its row before it."""
    by_ident: dict[str, list[Accepted]] = {}
    for a in accepted:
        key = ident(a.text, a.chat_id)
        if key:
            by_ident.setdefault(key, []).append(a)
    from_accept, from_answer = [], []
    for outbox_id, at in marks:
        earlier = [a for a in by_ident.get(idents.get(outbox_id, ""), []) if a.wall <= at]
        if earlier:
            from_accept.append((at - earlier[-1].wall) * 1000)
            if earlier[-1].answered_wall is not None:
                from_answer.append((at - earlier[-1].answered_wall) * 1000)
    return MarkDelays(from_accept, from_answer)


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """Median, 99th percentile and maximum (zeros for an empty list)."""
    if not values:
        return 0.0, 0.0, 0.0
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))], ordered[-1]


def describe(values: list[float]) -> str:
    """'median m / p99 p / max x ms (n)'."""
    median, p99, top = quantiles(values)
    return f"median {median:.2f} / p99 {p99:.2f} / max {top:.2f} ms (n={len(values)})"
