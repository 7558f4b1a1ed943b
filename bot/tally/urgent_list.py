"""The urgent reports of a tally with their whole life, for the workbook's sheet of them.

Each tip and fire of the period under the tally's unit, with who took it up and when, every
later step (who, when, the officer's note), the report it duplicates and the officer's word
on a fire. Names are those the raw sheet already shows (reporters) and the officers'.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.core import dates
from bot.core.config import Config
from bot.reports.forms import Forms
from bot.tally.compute import Tally
from bot.tally.privacy import private_kinds, shows_details, withheld
from bot.tally.scope import make_scope
from storage import tally_urgent
from storage.db import Row, Tx


@dataclass(frozen=True)
class Step:
    """One step of a report's life: when, to what state, who (None: the bot), the note."""

    at: datetime
    state: str
    who: str | None
    note: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class UrgentReport:
    """One tip or fire as the urgent sheet lists it; times are local, without offset."""

    number: str
    kind: str
    report_date: date
    filed_at: datetime
    alert_at: datetime | None  # when its first alert was due
    unit_name: str
    unit_path: str
    reporter: str
    state: str | None
    state_at: datetime | None
    ack_by: str | None
    ack_at: datetime | None
    ack_minutes: float | None  # from `alert_at` to the acknowledgement
    duplicate_of: str | None  # the number of the report it repeats
    in_time_confirmed: bool | None  # the officer's word on a fire
    confirmed_by: str | None
    confirmed_at: datetime | None
    data: dict[str, object]
    steps: list[Step] = field(default_factory=list)


def _name(value: object) -> str | None:
    return None if value is None else str(value)


def _report(row: Row, steps: list[Step], then: dict[int, tuple[str, str]]) -> UrgentReport:
    """One stored urgent report with its steps, its unit named as in the tally's period."""
    unit_name, unit_path = then.get(
        int(row["unit_id"]), (str(row["unit_name"]), str(row["unit_path"]))
    )
    filed = dates.stored_local(row["created_at"])
    assert filed is not None
    confirmed = row["in_time_confirmed"]
    minutes = row["ack_minutes"]
    return UrgentReport(
        number=str(row["number"]),
        kind=str(row["kind"]),
        report_date=date.fromisoformat(str(row["report_date"])),
        filed_at=filed,
        alert_at=dates.stored_local(row["alert_at"]),
        unit_name=unit_name,
        unit_path=unit_path,
        reporter=str(row["reporter"]),
        state=_name(row["state"]),
        state_at=dates.stored_local(row["state_at"]),
        ack_by=_name(row["ack_name"]),
        ack_at=dates.stored_local(row["ack_at"]),
        ack_minutes=None if minutes is None else float(minutes),
        duplicate_of=_name(row["duplicate_of_number"]),
        in_time_confirmed=None if confirmed is None else bool(confirmed),
        confirmed_by=_name(row["confirmed_name"]),
        confirmed_at=dates.stored_local(row["confirmed_at"]),
        data=json.loads(str(row["data"])),
        steps=steps,
    )


async def urgent_reports(
    tx: Tx,
    tally: Tally,
    config: Config,
    forms: Forms,
    limit: int | None,
    *,
    role: str | None = None,
) -> tuple[list[UrgentReport], bool]:
    """The period's tips and fires (the forms' urgent kinds) under the tally's unit, oldest
    first, each with its steps; True when `limit` cut the list short. Unless `role` may read
    them (bot/tally/privacy), a tip's answers and its officers' notes are withheld."""
    rc = config.reports
    kinds = [c.key for c in forms.categories if c.urgent]
    scope = make_scope(
        tally.query_path, tally.period, tally.generated_at, rc.deadline, rc.day_ends_at, kinds
    )
    rows = await tally_urgent.urgent_reports(tx, scope, kinds, None if limit is None else limit + 1)
    then = tally.names_then()
    if tally.moved_paths:  # units moved out of the subtree since: their reports too
        for path in tally.moved_paths:
            more = await tally_urgent.urgent_reports(tx, replace(scope, path=path), kinds, None)
            rows += [r for r in more if int(r["unit_id"]) in then]
        rows.sort(key=lambda r: (str(r["report_date"]), str(r["created_at"])))
    truncated = limit is not None and len(rows) > limit
    rows = rows[:limit]
    steps: dict[int, list[Step]] = defaultdict(list)
    for s in await tally_urgent.steps_of(tx, [int(r["id"]) for r in rows]):
        at = dates.stored_local(s["at"])
        assert at is not None
        detail = json.loads(str(s["detail"])) if s["detail"] else {}
        steps[int(s["report_id"])].append(
            Step(at, str(s["state"]), _name(s["who"]), _name(s["note"]), detail)
        )
    listed = [_report(r, steps.get(int(r["id"]), []), then) for r in rows]
    if not shows_details(config, role):
        listed = _withheld(listed, private_kinds(config))
    return listed, truncated


def _withheld(listed: list[UrgentReport], hidden: frozenset[str]) -> list[UrgentReport]:
    """The reports of `hidden` kinds without their answers and without the officers' notes
    on their steps (a note retells the tip); who did what and when stays."""
    out = []
    for r in listed:
        if r.kind in hidden:
            steps = [replace(s, note=None, detail={}) for s in r.steps]
            r = replace(r, data=withheld(r.kind, r.data, hidden), steps=steps)
        out.append(r)
    return out
