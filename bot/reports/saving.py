"""Domain rules for saving reports: numbers, edit deadlines, audit and urgent alerts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from bot.core import dates
from bot.core.clock import iso
from bot.core.engine import Context
from bot.core.model import Choice, Outbound
from bot.core.roles import ALERT_ROLES
from bot.reports.filling import summary_lines
from bot.reports.forms import Category
from bot.reports.kinds import Viewer
from storage import members, outbox, reports

ACK_PREFIX = "ack:"


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


async def save_report(ctx: Context, category: Category, answers: dict[str, Any]) -> tuple[int, str]:
    """File a report with its audit entry and, for urgent kinds, queue the police alerts."""
    member = ctx.member
    assert member is not None
    now = ctx.now
    data, participants, media = split_answers(category, answers)
    report_date = str(data.get("date") or now.date().isoformat())
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
    if category.urgent:
        await queue_alerts(ctx, category, report_id, number, answers)
    return report_id, number


async def queue_alerts(
    ctx: Context, category: Category, report_id: int, number: str, answers: dict[str, Any]
) -> int:
    """Queue an alert with an acknowledge button to every officer over the reporter's team.

    Each alert is wholly in its officer's language, whatever language the reporter uses.
    """
    member = ctx.member
    assert member is not None
    officers = await members.officers_over(
        ctx.tx, member.unit_path, tuple(r.value for r in ALERT_ROLES)
    )
    sent = 0
    for officer in officers:
        contact = await members.contact(ctx.tx, int(officer["id"]), ctx.served)
        if contact is None:
            continue
        locale = str(officer["locale"])
        texts = ctx.services.texts
        lines = [
            texts.t(locale, "alert.title", title=category.title(locale), number=number),
            texts.t(
                locale,
                "alert.from",
                name=member.full_name,
                unit=member.unit_name,
                time=dates.stamp(ctx.now),
            ),
            "",
            *(await summary_lines(Viewer(texts, locale, ctx.tx), category, answers)),
        ]
        message = Outbound(
            "\n".join(lines),
            [[Choice(texts.t(locale, "alert.ack_button"), ACK_PREFIX + str(report_id))]],
        )
        outbox_id = await outbox.enqueue(
            ctx.tx,
            dedupe_key=f"alert:{report_id}:{officer['id']}",
            channel=str(contact["channel"]),
            chat_id=str(contact["chat_id"]),
            member_id=int(officer["id"]),
            payload=message.to_payload(),
            not_before_iso=ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=True,  # an emergency: quiet hours never hold it
        )
        if outbox_id is not None:
            await reports.add_alert(ctx.tx, report_id, int(officer["id"]), outbox_id)
            sent += 1
    ctx.queued = ctx.queued or sent > 0
    return sent


def report_date_text(value: str) -> str:
    """dd/mm/yyyy, as Vietnamese paperwork writes dates."""
    return dates.day(date.fromisoformat(value))


def stamp_text(value: str) -> str:
    """A stored timestamp as people read it: 21:05 23/11/2026 (local time as stored)."""
    return dates.stamp(datetime.fromisoformat(value))
