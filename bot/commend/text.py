"""The shortlist as text: in chat under its buttons, and from `antt-bot commend shortlist`."""

from __future__ import annotations

from bot.commend.shortlist import Candidate, Shortlist, Translate, summary
from bot.core.roles import role_label


def mark(c: Candidate) -> str:
    """✅ for a line proposed, a blank box otherwise."""
    return "✅" if c.ticked else "▫️"


def who(c: Candidate, t: Translate, locale: str) -> str:
    """A team by name; a member with their role and team."""
    if c.member_id is None:
        return c.name
    return t("commend.member_line", name=c.name, role=role_label(c.role, locale), team=c.team_name)


def shortlist_text(listed: Shortlist, t: Translate, locale: str, how: str) -> str:
    """Head, the numbered teams and members with their evidence, the count ticked, and `how`
    to tick (a locale key: buttons, typed numbers, or the command line's)."""
    festival = t("commend.festival", year=listed.occasion.end.year)
    lines = [t("commend.head", unit=listed.unit.name, occasion=listed.occasion.title(festival))]
    n = 0
    for head, group in (("teams_head", listed.teams), ("members_head", listed.members)):
        if group:
            lines.append(t(f"commend.{head}"))
        for c in group:
            n += 1
            lines.append(f"{mark(c)} {n}. {who(c, t, locale)} — {summary(c, t)}")
    if n == 0:
        lines.append(t("commend.empty"))
        return "\n".join(lines)
    lines.append(t("commend.count_ticked", count=len(listed.ticked)))
    lines.append(t("commend.suggestion"))
    if how:
        lines.append(t(how))
    return "\n".join(lines)
