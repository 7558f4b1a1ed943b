"""Commendation notices: the shortlist is ready, on a phase's last day and a week before 19/8.

Seed 000: "Kết thúc mỗi đợt thi đua, chủ động đánh giá kết quả đạt được, kịp thời biểu dương,
khen thưởng"; seed 004 commends at the festival of 19 August. Officers are told the list is
ready to tick (/khenthuong); each notice is keyed by occasion and officer, so a catch-up run
or a restart never sends it twice. The week before 19/8 is local practice
(`[commend] festival_notice_days`).
"""

from __future__ import annotations

from bot.commend import occasions
from bot.commend.occasions import Occasion
from bot.core.model import Outbound
from bot.core.roles import Role
from bot.schedule.scheduler import Plan
from storage import recipients, units
from storage.outbox import Planned
from storage.recipients import Audience, Recipient
from storage.subtree import SEPARATOR

OFFICERS = (Role.OFFICER.value,)


async def shortlists_ready(plan: Plan) -> list[Planned]:
    """Each morning: phases ending today, and the festival `festival_notice_days` ahead."""
    today = plan.slot.date()
    config = plan.services.config
    items: list[Planned] = []
    for phase in config.tally.phases:
        if phase.end == today:
            items += await _tell(plan, occasions.of_phase(phase), phase.units)
    festival = occasions.festival(today.year)
    days = (festival.end - today).days
    if days == config.commend.festival_notice_days:
        items += await _tell(plan, festival, [], days)
    return items


async def _officers(plan: Plan, paths: list[str]) -> list[Recipient]:
    """The officers of the units a phase covers: within them, or above them (a commune's
    officers for a phase of its villages); everyone's officers when it covers everything."""
    if not paths:
        return await recipients.audience(plan.tx, Audience(roles=OFFICERS), plan.served)
    found = {
        r.member_id: r
        for r in await recipients.audience(
            plan.tx, Audience(paths=paths, roles=OFFICERS), plan.served
        )
    }
    above: list[int] = []
    for path in paths:
        parts = path.split(SEPARATOR)
        for i in range(1, len(parts)):
            unit = await units.get_by_path(plan.tx, SEPARATOR.join(parts[:i]))
            if unit is not None:
                above.append(unit.id)
    if above:
        who = Audience(unit_ids=above, roles=OFFICERS)
        for r in await recipients.audience(plan.tx, who, plan.served):
            found.setdefault(r.member_id, r)
    return list(found.values())


async def _tell(plan: Plan, occasion: Occasion, paths: list[str], days: int = 0) -> list[Planned]:
    """One notice per officer for this occasion."""
    tag = f"commend:{occasion.code}"

    def message(row: Recipient, locale: str) -> Outbound:
        """'The phase ends today' or 'N days to 19/8', and /khenthuong."""
        if occasion.kind == "festival":
            year = occasion.end.year
            return Outbound(
                plan.t(locale, "commend.notice_festival", days=days, year=year, last_year=year - 1)
            )
        title = occasion.title("")
        return Outbound(plan.t(locale, "commend.notice_phase", occasion=title))

    rows = await _officers(plan, paths)
    return plan.each(rows, lambda row: f"{tag}:{row.member_id}", message)
