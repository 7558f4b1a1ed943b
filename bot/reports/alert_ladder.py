"""The escalation ladder: one alert to one person at one step, and the later steps of an
urgent report queued at filing time, each due when nobody may have acknowledged yet.

Every step is an ordinary outbox row with a later `not_before`, so the ladder survives a
restart; acknowledging cancels the steps not yet sent (handlers/police.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import iso
from bot.core.engine import Context
from bot.core.model import Outbound
from bot.core.roles import ALERT_ROLES, Role, role_names
from bot.reports.alert_media import media_keys, queue_media
from bot.reports.alert_message import alert_message
from bot.reports.forms import Category
from storage import members, outbox, reports, units
from storage.db import Row, Tx

COMMUNE_KIND = "commune"


def alert_key(report_id: int, member_id: int, step: int) -> str:
    """The outbox key of one person's alert at one step (the first alert keeps its old key)."""
    base = f"alert:{report_id}:{member_id}"
    return base if step == 0 else f"{base}:step:{step}"


async def deliver(
    ctx: Context,
    person: Row,
    *,
    category: Category,
    report_id: int,
    number: str,
    answers: dict[str, Any],
    step: int,
    due: datetime,
    urgent: bool,
    media: bool,
    lead: str = "",
) -> bool:
    """Queue the alert (with `lead`, the step's reminder line, above it) for one person due
    at `due`, recorded in `alerts` with its step; False when the person cannot be reached
    on a messenger this bot serves."""
    person_id = int(person["id"])
    contact = await members.contact(ctx.tx, person_id, ctx.served)
    if contact is None:
        return False
    locale = str(person["locale"])
    message = await alert_message(
        ctx.tx,
        ctx.services.texts,
        locale,
        category=category,
        report_id=report_id,
        number=number,
        reporter=_reporter(ctx),
        filed_at=ctx.now,
        answers=answers,
        urgent=urgent,
        channel=str(contact["channel"]),
        map_url=ctx.services.config.alerts.map_url,
        media_sent=not media,  # a reminder to someone whose first alert had them
        config=ctx.services.config,
    )
    if lead:
        message = Outbound(
            ctx.services.texts.t(locale, lead, **_minutes(ctx, step)) + "\n\n" + message.text,
            message.choices,
        )
    outbox_id = await outbox.enqueue(
        ctx.tx,
        dedupe_key=alert_key(report_id, person_id, step),
        channel=str(contact["channel"]),
        chat_id=str(contact["chat_id"]),
        member_id=person_id,
        payload=message.to_payload(),
        not_before_iso=iso(due),
        now_iso=ctx.now_iso,
        urgent=urgent,  # an emergency goes day or night; a tip not pressing waits out the night
    )
    if outbox_id is None:
        return False
    await reports.add_alert(ctx.tx, report_id, person_id, outbox_id, step)
    if media:
        await queue_media(
            ctx,
            category,
            report_id,
            number,
            answers,
            person,
            contact,
            urgent=urgent,
            not_before_iso=iso(due),
        )
    ctx.queued = True
    return True


async def queue_ladder(
    ctx: Context,
    category: Category,
    report_id: int,
    number: str,
    answers: dict[str, Any],
    officers: list[Row],
    reached: set[int],
    at_once: bool = False,
) -> int:
    """Queue every later step of the ladder for an urgent report; `officers` are those over
    the team (read for the first alert), `reached` the people it went to (their media are
    already on the way). With `at_once` (the first alert reached nobody) every step is due
    now: there is nobody to wait for. Returns how many alerts were queued."""
    queued = 0
    above: list[Row] | None = None  # the level above, read once if a step goes there
    for step, rung in enumerate(ctx.services.config.alerts.escalation, start=1):
        due = ctx.now if at_once else ctx.now + timedelta(minutes=rung.after_minutes)
        if rung.to == "commune":
            people = officers
        else:
            above = await _above(ctx) if above is None else above
            people = above
        lead = "ladder.again" if rung.to == "commune" else "ladder.above"
        if at_once:
            lead = "ladder.above_nobody"
        for person in people:
            fresh = int(person["id"]) not in reached
            if at_once and not fresh:
                continue  # everything goes now: once each is enough
            if await deliver(
                ctx,
                person,
                category=category,
                report_id=report_id,
                number=number,
                answers=answers,
                step=step,
                due=due,
                urgent=True,
                media=fresh,
                lead=lead,
            ):
                reached.add(int(person["id"]))
                queued += 1
    return queued


async def stop_alerts(
    tx: Tx, report_id: int, category: Category | None, answers: dict[str, Any]
) -> int:
    """Cancel every alert of a report not sent yet, at every step of the ladder, with the
    voice notes and photos queued after them: once someone has taken the report up (or its member
    withdrew it), nothing more about it goes out. Returns how many alerts were cancelled."""
    cancelled = 0
    for alert in await reports.alerts_of(tx, report_id):
        if await outbox.cancel_pending(tx, int(alert["outbox_id"])):
            person_id = int(alert["member_id"])
            keys = media_keys(category, answers, report_id, person_id) if category else []
            await outbox.cancel_pending_keys(tx, keys)
            cancelled += 1
    return cancelled


async def officers_of(ctx: Context) -> list[Row]:
    """Every officer over the reporter's team: the commune's police and those above it."""
    member = _reporter(ctx)
    return await members.officers_over(ctx.tx, member.unit_path, role_names(ALERT_ROLES))


async def _above(ctx: Context) -> list[Row]:
    """The supervisors of the level above the reporter's commune (its unit strictly
    contains the commune)."""
    line = await units.line_above(ctx.tx, _reporter(ctx).unit_path)
    if not line:
        return []
    communes = [unit for unit in line if unit.kind == COMMUNE_KIND]
    # A tree without a unit of kind "commune": the team's parent stands for it.
    commune = communes[0] if communes else line[min(1, len(line) - 1)]
    parent = units.parent_path(commune.path)
    if parent is None:
        return []
    return await members.officers_over(ctx.tx, parent, (str(Role.SUPERVISOR),))


def _minutes(ctx: Context, step: int) -> dict[str, str]:
    after = ctx.services.config.alerts.escalation[step - 1].after_minutes
    return {"minutes": f"{after:g}"}


def _reporter(ctx: Context) -> members.Member:
    assert ctx.member is not None
    return ctx.member
