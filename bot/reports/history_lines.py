"""One report's history as people read it: /lichsu BC-… in chat and the report's web page.

Each change (an edit, a withdrawal, a step of an urgent report's life) says when, what, who,
the values before and after, and the officer's note. A report whose answers a reader may not
see (bot/tally/privacy.py) keeps when, what and who, never the values nor the notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import dates
from bot.core.i18n import Texts
from bot.people.audit_export import action_label, values_text
from storage import report_history
from storage.db import Tx


@dataclass(frozen=True)
class Change:
    """One line of a report's history, its parts as shown."""

    at: str  # 21:05 30/11/2026
    what: str
    by: str
    change: str  # "old → new", or one side; "" when none (or withheld)
    note: str


async def report_changes(
    tx: Tx, texts: Texts, locale: str, report_id: int, *, private: bool = False
) -> list[Change]:
    """Every change to a report, oldest first; `private` leaves out values and notes."""
    found = []
    for row in await report_history.of_report(tx, report_id):
        before = values_text(row["before"]) if row["source"] == "audit" else ""
        after = values_text(row["after"])
        change = f"{before} → {after}" if before and after else before or after
        note = str(row["note"]) if row["note"] else ""
        found.append(
            Change(
                at=dates.stored_stamp(str(row["at"])),
                what=action_label(texts, "report", str(row["action"]), locale),
                by=str(row["actor"] or texts.t(locale, "history.by_bot")),
                change="" if private else change,
                note="" if private else note,
            )
        )
    return found
