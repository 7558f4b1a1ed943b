"""/lichsu: the changes to a report (/lichsu BC-2026-000123) or to a member (/lichsu Tên).

A report's history is shown to whoever may see the report: its reporter, their team's
leader and the officers over it. A member's (where and as what they served, and every change
recorded) to themselves and to whoever may see their unit (membership.may_see). Long
histories are split by the channel like every long text.
"""

from __future__ import annotations

from datetime import date

from bot.core import dates
from bot.core.engine import Context
from bot.core.parsing import fold
from bot.core.roles import role_label
from bot.people.audit_export import action_label
from bot.people.membership import Actor, may_see
from bot.reports.history_lines import report_changes
from bot.reports.numbers import looks_like_number, parse_number
from handlers.commands import handles
from storage import (
    audit,
    caselists,
    member_lists,
    members,
    memberships,
    reports,
    units,
)
from storage.members import Member


@handles("lichsu")
async def begin(ctx: Context) -> None:
    """`/lichsu [BC-… | name]`: a report's changes, or a member's (one's own without args)."""
    me = ctx.member
    assert me is not None
    typed = ctx.inbound.args.strip()
    if looks_like_number(typed):
        number = parse_number(typed, ctx.now.year)
        await _report(ctx, me, number or typed.upper())
        return
    if not typed:
        await _member(ctx, me)
        return
    found = await _named(ctx, me, typed)
    if found is not None:
        await _member(ctx, found)


async def _report(ctx: Context, me: Member, number: str) -> None:
    report_id = await caselists.id_by_number(ctx.tx, number)
    report = await reports.get(ctx.tx, report_id) if report_id is not None else None
    if report is None or not (report.member_id == me.id or may_see(Actor.of(me), report.unit_path)):
        ctx.reply(ctx.t("history.no_report", number=number))
        return
    lines = [ctx.t("history.report_title", number=number, unit=report.unit_name)]
    for c in await report_changes(ctx.tx, ctx.services.texts, ctx.locale, report.id):
        lines.append(
            ctx.t("history.line", at=c.at, what=c.what, by=c.by)
            + (f"\n   {c.change}" if c.change else "")
            + (f"\n   {c.note}" if c.note else "")
        )
    ctx.reply("\n".join(lines))


async def _named(ctx: Context, me: Member, typed: str) -> Member | None:
    """The member the caller names, among those they may see; None after saying why not."""
    actor = Actor.of(me)
    wanted = fold(typed)
    if fold(me.full_name) == wanted:
        return me
    rows = [  # read within the caller's own subtree: no one may see a member outside it
        r
        for r in await member_lists.under(ctx.tx, me.unit_path, True)
        if wanted in fold(str(r["full_name"])) and may_see(actor, str(r["unit_path"]))
    ]
    exact = [r for r in rows if fold(str(r["full_name"])) == wanted]
    rows = exact or rows
    if len(rows) != 1:
        key = "history.no_member" if not rows else "history.several"
        names = ", ".join(str(r["full_name"]) for r in rows[:10])
        ctx.reply(ctx.t(key, name=typed, names=names))
        return None
    return await members.get(ctx.tx, int(rows[0]["id"]))


async def _member(ctx: Context, target: Member) -> None:
    lines = [ctx.t("history.member_title", name=target.full_name)]
    names: dict[int, str] = {}
    for stretch in await memberships.history(ctx.tx, target.id):
        if stretch.unit_id not in names:
            unit = await units.get(ctx.tx, stretch.unit_id)
            names[stretch.unit_id] = unit.name if unit is not None else "?"
        lines.append(
            ctx.t(
                "history.stretch",
                unit=names[stretch.unit_id],
                role=role_label(stretch.role, ctx.locale),
                start=dates.day(stretch.start),
                end=_end(ctx, stretch.end),
            )
        )
    for entry in await audit.of_subject(ctx.tx, "member", target.id):
        lines.append(
            ctx.t(
                "history.line",
                at=dates.stored_stamp(entry.at),
                what=action_label(ctx.services.texts, "member", entry.action, ctx.locale),
                by=entry.actor,
            )
        )
    ctx.reply("\n".join(lines))


def _end(ctx: Context, end: date | None) -> str:
    return dates.day(end) if end is not None else ctx.t("history.until_now")
