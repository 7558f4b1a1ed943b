"""A team-mate's "Không phải tôi" button: they were named on a report but did not take part."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.ids import id_after
from bot.core.model import Outbound
from bot.reports.credit import NOT_ME
from bot.reports.forms import Category
from storage import members, reports
from storage.reports import Report

DISOWN = "disown"  # the audit action: who said it was not them, and when


async def not_me(ctx: Context) -> None:
    """Take the presser off the report's team-mates (stored with an audit row), tell the
    reporter and answer them; only a member the report names can do it, once."""
    me = ctx.member
    assert me is not None
    report_id = id_after(ctx.value, NOT_ME)
    row = await reports.get(ctx.tx, report_id) if report_id is not None else None
    if row is None:
        ctx.reply(ctx.t("credit.not_named"))
        return
    if row.status != "active":
        ctx.reply(ctx.t("credit.withdrawn", number=row.number))
        return
    if not await reports.remove_participant(ctx.tx, row.id, me.id):
        pressed = await reports.has_audit(ctx.tx, row.id, me.id, DISOWN)
        ctx.reply(ctx.t("credit.already" if pressed else "credit.not_named", number=row.number))
        return
    before = reports.answers(row)
    after = _without(ctx.forms.get(row.kind), before, me.id) if ctx.forms.has(row.kind) else before
    if after != before:
        await reports.update_data(ctx.tx, row.id, row.report_date, after, ctx.now_iso)
    await reports.audit(ctx.tx, row.id, me.id, DISOWN, before, after, ctx.now_iso)
    ctx.reply(ctx.t("credit.removed", number=row.number, name=row.reporter_name))
    await _tell_reporter(ctx, row)


def _without(category: Category, answers: dict[str, Any], member_id: int) -> dict[str, Any]:
    """The answers with the member taken out of every team-mates field, so the report reads
    as it now counts and a later edit does not put them back."""
    result = dict(answers)
    for f in category.fields:
        value = result.get(f.key)
        if f.type == "multi_choice" and f.choices_from == "team" and isinstance(value, list):
            result[f.key] = [v for v in value if str(v) != str(member_id)]
    return result


async def _tell_reporter(ctx: Context, row: Report) -> None:
    assert ctx.member is not None
    reporter = await members.get(ctx.tx, row.member_id)
    if reporter is None:
        return
    text = ctx.services.texts.t(
        reporter.locale, "credit.reporter_notice", name=ctx.member.full_name, number=row.number
    )
    await ctx.notify(reporter.id, f"disown:{row.id}:{ctx.member.id}", Outbound(text))
