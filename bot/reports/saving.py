"""Saving a report: its number, the answers split into columns, the edit deadline, the
audit row, and the alerts an urgent kind raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from bot.core.clock import iso
from bot.core.engine import Context
from bot.reports.alerts import Reach, queue_alerts
from bot.reports.credit import NIL_KIND, notify_teammates, replace_nil
from bot.reports.fielddef import DATE
from bot.reports.forms import Category
from bot.reports.register_notice import tell_leaders
from storage import incidents, reports


def edit_until(created: datetime, deadline: time) -> datetime:
    """Edits close at the first report deadline at or after filing (e.g. 21:00 that day)."""
    candidate = created.replace(hour=deadline.hour, minute=deadline.minute, second=0, microsecond=0)
    if candidate < created:
        candidate += timedelta(days=1)
    return candidate


def split_answers(
    category: Category, answers: dict[str, Any]
) -> tuple[dict[str, Any], list[int], dict[str, list[str]]]:
    """Separate what goes in the JSON data from team-mates and photo references."""
    data: dict[str, Any] = {}
    participants: list[int] = []
    media: dict[str, list[str]] = {}
    for f in category.fields:
        if f.key not in answers:
            continue
        value = answers[f.key]
        data[f.key] = value
        if f.type == "multi_choice" and f.choices_from == "team" and value:
            participants.extend(int(v) for v in value)
        if f.type == "photo" and value:
            media[f.key] = [str(v) for v in value]
    return data, participants, media


@dataclass(frozen=True)
class Saved:
    """A filed report: its id and number, the date of the nil report it replaced (as
    people read it) when the member had said "nothing to report" that day, and for an
    urgent kind what its alerts reached (the member is told exactly that)."""

    report_id: int
    number: str
    replaced_nil: str | None = None
    reach: Reach | None = None


async def save_report(ctx: Context, category: Category, answers: dict[str, Any]) -> Saved:
    """File a report with its audit entry, withdraw the member's nil report of that day (a
    real one replaces it), tell the team-mates it names and, for urgent kinds, queue the
    police alerts: all in the update's one transaction."""
    member = ctx.member
    assert member is not None
    now = ctx.now
    data, participants, media = split_answers(category, answers)
    # A form without a date field (the one-tap nil report) still gets the reporting day it
    # was filed for: after midnight, until `[reports] day_ends_at`, that is yesterday.
    report_date = str(data.get(DATE) or answers.get(DATE) or now.date().isoformat())
    number = await reports.next_number(ctx.tx, now.year)
    deadline = ctx.services.config.reports.effective_edit_deadline
    report_id = await reports.create(
        ctx.tx,
        number=number,
        member_id=member.id,
        unit_id=member.unit_id,
        kind=category.key,
        report_date=report_date,
        data=data,
        urgent=category.urgent,
        now_iso=iso(now),
        edit_until_iso=iso(edit_until(now, deadline)),
    )
    await reports.set_participants(ctx.tx, report_id, participants)
    await reports.set_media(ctx.tx, report_id, ctx.inbound.channel, media)
    await reports.audit(ctx.tx, report_id, member.id, "create", None, data, iso(now))
    replaced = None if category.key == NIL_KIND else await replace_nil(ctx, report_date)
    if participants:
        await notify_teammates(ctx, category, report_id, number, data, participants)
    await tell_leaders(ctx, category, report_id, number, data)
    reach = None
    if category.urgent:
        reach = await queue_alerts(ctx, category, report_id, number, answers)
        await incidents.open_case(ctx.tx, report_id, member.id, iso(now), iso(reach.at))
    return Saved(report_id, number, replaced, reach)
