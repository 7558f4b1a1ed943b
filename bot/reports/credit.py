"""Team-mates named on a report: each gets a notice in their own language with a "not me"
button, and a real report replaces the member's nil report of the same day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Choice, Outbound
from bot.reports.fielddef import DATE
from bot.reports.forms import Category
from storage import members, reports

NOT_ME = "notme:"  # the team-mate's "Không phải tôi" button: notme:<report id>
NIL_KIND = "nil"  # the one-tap "nothing to report" kind (handlers/report.py files it)
EVENING = time(18, 0)  # a shift starting from here on is "tối nay" (tonight), else "hôm nay"


def _shift(category: Category, data: dict[str, Any]) -> tuple[str, str] | None:
    """The report's shift, read through the form's shift question (`pair`), when it has
    both its times."""
    for f in category.fields:
        if f.pair is not None:
            start, end = data.get(f.key), data.get(f.pair)
            if isinstance(start, str) and isinstance(end, str) and start and end:
                return start, end
    return None


async def notify_teammates(
    ctx: Context,
    category: Category,
    report_id: int,
    number: str,
    data: dict[str, Any],
    member_ids: Iterable[int],
) -> int:
    """Tell each newly named team-mate, in their language, that the reporter credited them,
    with a button to say it was not them; one notice per report and team-mate (an edit that
    names them again sends none), none to a team-mate no served messenger reaches."""
    reporter = ctx.member
    assert reporter is not None
    report_date = str(data.get(DATE) or ctx.now.date().isoformat())
    shift = _shift(category, data)
    day = _day_key(shift, date.fromisoformat(report_date) == ctx.now.date())
    patrol = category.key == ctx.services.config.tally.sources.patrol_kind
    sent = 0
    texts = ctx.services.texts
    for member_id in sorted(set(member_ids)):
        if member_id == reporter.id:
            continue
        mate = await members.get(ctx.tx, member_id)
        if mate is None or not mate.active:
            continue
        locale = mate.locale
        when = texts.t(locale, day, date=dates.short_day(date.fromisoformat(report_date)))
        text = texts.t(
            locale,
            "credit.notice_patrol" if patrol else "credit.notice",
            name=reporter.full_name,
            title=category.title(locale),
            when=when + (f" ({shift[0]}–{shift[1]})" if shift else ""),
            number=number,
        )
        button = Choice(texts.t(locale, "credit.not_me_button"), NOT_ME + str(report_id))
        message = Outbound(text, [[button]])
        if await ctx.notify(member_id, f"credit:{report_id}:{member_id}", message):
            sent += 1
    return sent


def _day_key(shift: tuple[str, str] | None, today: bool) -> str:
    """Which words say the report's day: tonight only for today's evening shift (a morning
    shift or a report without times is "today"), another day by its date."""
    if not today:
        return "credit.on_day"
    evening = shift is not None and shift[0] >= EVENING.strftime("%H:%M")
    return "credit.tonight" if evening else "credit.today"


async def replace_nil(ctx: Context, report_date: str) -> str | None:
    """Withdraw the member's nil report of that day (a real report now stands for it), with
    its audit row, in the saving transaction; the nil's date as people read it, or None."""
    member = ctx.member
    assert member is not None
    nil = await reports.find_nil(ctx.tx, member.id, report_date)
    if nil is None:
        return None
    await reports.withdraw(ctx.tx, nil.id, ctx.now_iso)
    await reports.audit(
        ctx.tx, nil.id, member.id, "replace", reports.answers(nil), None, ctx.now_iso
    )
    return dates.stored_day(report_date)
