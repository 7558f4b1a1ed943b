"""Telling the team's leaders that a visit names a code not on the team's register.

The visit is filed as typed (never thrown away); the leaders and deputies of the team (or,
when the reporter is the only one, the commune police over the team) are told, so the person
can be added with /quanly or the member reminded of the right code. Codes only: no name.
"""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Outbound
from bot.core.roles import ALERT_ROLES, TEAM_LEAD_ROLES, role_names
from bot.reports.forms import Category
from storage import members, supervised

NOTICE_KEY = "supervised-unknown"


async def tell_unknown_code(
    ctx: Context, category: Category, report_id: int, number: str, data: dict[str, Any]
) -> None:
    """After filing: a register code not on the team's register is reported to whoever can
    add it (each once per report)."""
    member = ctx.member
    assert member is not None
    fields = [f.key for f in category.fields if f.type == "register_person"]
    codes = [str(data[k]) for k in fields if data.get(k)]
    if not codes:
        return
    known = {c.upper() for c in await supervised.codes(ctx.tx, member.unit_id)}
    unknown = [c for c in codes if c.upper() not in known]
    if not unknown:
        return
    team = await members.team_roster(ctx.tx, member.unit_id)
    leads: list[tuple[int, str | None]] = [
        (int(r["id"]), None)
        for r in team
        if r["role"] in TEAM_LEAD_ROLES and int(r["id"]) != member.id
    ]
    if not leads:
        police = await members.officers_over(ctx.tx, member.unit_path, role_names(ALERT_ROLES))
        leads = [(int(r["id"]), str(r["locale"])) for r in police]
    texts = ctx.services.texts
    for member_id, locale in leads:
        if locale is None:
            found = await members.get(ctx.tx, member_id)
            locale = found.locale if found else ctx.services.config.bot.locale
        for code in unknown:
            text = texts.t(
                locale,
                "supervised.unknown_notice",
                number=number,
                reporter=member.full_name,
                unit=member.unit_name,
                code=code,
            )
            await ctx.notify(
                member_id, f"{NOTICE_KEY}:{report_id}:{member_id}:{code}", Outbound(text)
            )
