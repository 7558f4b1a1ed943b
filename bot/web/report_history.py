"""A report's history as its web page shows it: the chat's lines (when, what, who, the
officer's note), each change in the form's words ("Có mặt kịp thời: Có → Không"), never the
stored answers as they are kept (field keys, true/false, a photo's Telegram file id).

The report's answers are on the same page right above, so the line of its sending carries no
values; an edit names the fields it changed, old → new, as the officers' chat notice does.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from bot.core.i18n import Texts
from bot.reports.changes import changed_fields
from bot.reports.filling import display
from bot.reports.forms import Category
from bot.reports.history_lines import Change, report_changes
from bot.reports.kinds import Viewer as Reader
from storage import report_history
from storage.db import Row, Tx

LOCALE = "vi"


def _answers(stored: object) -> dict[str, Any] | None:
    """Stored JSON of a report's answers (or an event's detail) as a dict; None otherwise."""
    if stored is None or stored == "":
        return None
    try:
        loaded = json.loads(str(stored))
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


async def _edit_text(reader: Reader, category: Category, row: Row) -> str:
    """An edit's changed fields, "label: old → new", in the form's order."""
    before, after = _answers(row["before"]), _answers(row["after"])
    if before is None or after is None:
        return ""
    parts = []
    for f in changed_fields(category, before, after):
        old = await display(reader, f, before.get(f.key))
        new = await display(reader, f, after.get(f.key))
        parts.append(f"{f.label.get(LOCALE)}: {old} → {new}")
    return "; ".join(parts)


def _event_text(texts: Texts, category: Category, row: Row) -> str:
    """What an urgent report's event adds to its step: a fire's "in time" answer, the fields
    an edit changed (its old → new is on the edit's own line)."""
    detail = _answers(row["after"]) or {}
    if isinstance(detail.get("in_time"), bool):
        return texts.t(LOCALE, "case.in_time_yes" if detail["in_time"] else "case.in_time_no")
    edited = detail.get("edited")
    if isinstance(edited, list):
        labels = [f.label.get(LOCALE) for f in category.fields if f.key in edited]
        return "Sửa: " + ", ".join(labels) if labels else ""
    return ""


async def page_changes(
    tx: Tx, texts: Texts, category: Category | None, report_id: int, *, private: bool
) -> list[Change]:
    """The report's history for its page, oldest first; `private` (or a kind no form knows
    any more) keeps when, what and who only, as chat does."""
    lines = await report_changes(tx, texts, LOCALE, report_id, private=private)
    if private or category is None:
        return [replace(c, change="") for c in lines]
    rows = await report_history.of_report(tx, report_id)
    reader = Reader(texts, LOCALE, tx)
    shown = []
    for line, row in zip(lines, rows, strict=True):
        if row["source"] == "audit":
            change = await _edit_text(reader, category, row)
        else:
            change = _event_text(texts, category, row)
        shown.append(replace(line, change=change))
    return shown
