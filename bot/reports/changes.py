"""Changes to an urgent report after its alert: the officers who got it are told of each edit
(old → new) and of a withdrawal, and what an officer confirmed stays as confirmed."""

from __future__ import annotations

from typing import Any

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Outbound
from bot.reports.alert_ladder import stop_alerts
from bot.reports.filling import display
from bot.reports.forms import Category, FieldDef
from bot.reports.kinds import Viewer
from storage import incidents, outbox, reports
from storage.db import Row
from storage.reports import Report


def changed_fields(
    category: Category, before: dict[str, Any], after: dict[str, Any]
) -> list[FieldDef]:
    """The form's fields whose answer an edit changed, in form order."""
    return [f for f in category.fields if before.get(f.key) != after.get(f.key)]


def locked_keys(category: Category, report: Report) -> set[str]:
    """The fields the member may no longer change: those feeding a target, once an officer
    confirmed the report."""
    if report.confirmed_at is None:
        return set()
    return {f.key for f in category.fields if f.locked_when_confirmed}


async def locked_message(ctx: Context, category: Category, report: Report) -> str:
    """Why some fields cannot be changed, and whom to ask: the officer who confirmed them."""
    labels = [
        f.label.get(ctx.locale) for f in category.fields if f.key in locked_keys(category, report)
    ]
    name, when = await _confirmer(ctx, report)
    return ctx.t("alertx.locked_fields", fields=", ".join(labels), name=name, time=when)


async def withdrawal_refusal(ctx: Context, report: Report) -> str | None:
    """Why a confirmed report cannot be withdrawn (it counts towards a target), or None
    when it may be."""
    if report.confirmed_at is None:
        return None
    name, when = await _confirmer(ctx, report)
    return ctx.t("alertx.locked_withdraw", number=report.number, name=name, time=when)


async def _confirmer(ctx: Context, report: Report) -> tuple[str, str]:
    found = await incidents.confirmer(ctx.tx, report.id)
    at, name = found if found is not None else (str(report.confirmed_at), "")
    return name or ctx.t("alertx.the_officer"), dates.stored_stamp(at)


async def edited(
    ctx: Context,
    category: Category,
    report: Report,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Keep the edit in the urgent report's history and tell each officer who got its alert
    what changed, old → new, in their language (their alert showed the old answers)."""
    assert ctx.member is not None
    changed = changed_fields(category, before, after)
    if report.state is None or not changed:
        return  # not an urgent report: no officer was alerted
    detail = {"edited": [f.key for f in changed]}
    await incidents.add_event(
        ctx.tx, report.id, ctx.member.id, report.state, ctx.now_iso, detail=detail
    )
    for officer in await reports.alerted(ctx.tx, report.id):
        locale = str(officer["locale"])
        texts = ctx.services.texts
        viewer = Viewer(texts, locale, ctx.tx)
        lines = [
            texts.t(
                locale,
                "alertx.edited",
                name=ctx.member.full_name,
                number=report.number,
                title=category.title(locale),
                time=dates.stamp(ctx.now),
            )
        ]
        for f in changed:
            old = await display(viewer, f, before.get(f.key))
            new = await display(viewer, f, after.get(f.key))
            lines.append(
                texts.t(locale, "alertx.change", label=f.label.get(locale), old=old, new=new)
            )
        await _tell(ctx, report, officer, Outbound("\n".join(lines)))


async def withdrawn(ctx: Context, report: Report) -> None:
    """Keep the withdrawal in the urgent report's history (its state stays as it was), stop
    its alerts not yet sent, and tell each officer who got its alert that nothing more is
    asked of them by the reporter."""
    assert ctx.member is not None
    if report.state is None:
        return
    detail = {"withdrawn": True}
    await incidents.add_event(
        ctx.tx, report.id, ctx.member.id, report.state, ctx.now_iso, detail=detail
    )
    category = ctx.forms.find(report.kind)
    # Nothing more goes out about it (a later step of the ladder, a tip held for the
    # morning); only those whose alert was delivered are told of the withdrawal.
    await stop_alerts(ctx.tx, report.id, category, report.answers)
    for officer in await reports.alerted(ctx.tx, report.id):
        locale = str(officer["locale"])
        text = ctx.services.texts.t(
            locale,
            "alertx.withdrawn",
            name=ctx.member.full_name,
            number=report.number,
            title=category.title(locale) if category else report.kind,
            time=dates.stamp(ctx.now),
        )
        await _tell(ctx, report, officer, Outbound(text))


async def _tell(ctx: Context, report: Report, officer: Row, message: Outbound) -> None:
    """Queue a change where the officer's alert went, never ahead of it: due no earlier than
    the alert and as urgent as it (a tip held through quiet hours is not changed at night)."""
    not_before = max(ctx.now_iso, str(officer["not_before"]))
    update = f"{ctx.inbound.channel}:{ctx.inbound.update_key}"  # one notice per update
    await outbox.enqueue(
        ctx.tx,
        dedupe_key=f"change:{report.id}:{officer['member_id']}:{update}",
        channel=str(officer["channel"]),
        chat_id=str(officer["chat_id"]),
        member_id=int(officer["member_id"]),
        payload=message.to_payload(),
        not_before_iso=not_before,
        now_iso=ctx.now_iso,
        urgent=bool(officer["urgent"]),
    )
    ctx.queued = True
