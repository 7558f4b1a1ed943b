"""Telling the team's leaders what a reintegration visit asks of them: a code not on the
team's register, or signs of reoffending seen on the visit.

The visit is filed as typed (never thrown away). The leaders and deputies of the team (or,
when the reporter is the only one, the commune police over the team) are told, so the person
can be added with /quanly, the member reminded of the right code, or a reoffence recorded
once established (a sign is a warning, not a reoffence: only /quanly records one). Codes
only: no name.
"""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Outbound
from bot.core.roles import ALERT_ROLES, TEAM_LEAD_ROLES, role_names
from bot.reports.forms import Category
from storage import members, supervised

NOTICE_KEY = "supervised-unknown"
SIGNS_KEY = "supervised-signs"


async def tell_leaders(
    ctx: Context, category: Category, report_id: int, number: str, data: dict[str, Any]
) -> None:
    """After filing a visit: a code not on the register, or signs of reoffending, reported
    to whoever can act on it (each once per report)."""
    src = ctx.services.config.tally.sources
    member = ctx.member
    assert member is not None
    fields = [f.key for f in category.fields if f.type == "register_person"]
    codes = [str(data[k]) for k in fields if data.get(k)]
    if not codes:
        return
    known = {c.upper() for c in await supervised.codes(ctx.tx, member.unit_id)}
    notices = [
        ("supervised.unknown_notice", NOTICE_KEY, c) for c in codes if c.upper() not in known
    ]
    if category.key == src.reintegration_kind and data.get(src.reoffending_field) is True:
        notices += [("supervised.signs_notice", SIGNS_KEY, c) for c in codes]
    if not notices:
        return
    texts = ctx.services.texts
    for member_id, locale in await _leads(ctx):
        for key, dedupe, code in notices:
            text = texts.t(
                locale,
                key,
                number=number,
                reporter=member.full_name,
                unit=member.unit_name,
                code=code,
            )
            await ctx.notify(member_id, f"{dedupe}:{report_id}:{member_id}:{code}", Outbound(text))


async def _leads(ctx: Context) -> list[tuple[int, str]]:
    """The team's leaders and deputies but the reporter, each with their language; when
    there are none, the commune police over the team."""
    member = ctx.member
    assert member is not None
    team = await members.team_roster(ctx.tx, member.unit_id)
    leads: list[tuple[int, str]] = []
    for r in team:
        if r["role"] in TEAM_LEAD_ROLES and int(r["id"]) != member.id:
            found = await members.get(ctx.tx, int(r["id"]))
            leads.append((int(r["id"]), found.locale if found else ctx.services.config.bot.locale))
    if leads:
        return leads
    police = await members.officers_over(ctx.tx, member.unit_path, role_names(ALERT_ROLES))
    return [(int(r["id"]), str(r["locale"])) for r in police]
