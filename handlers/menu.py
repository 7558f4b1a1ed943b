"""The main menu and help, which differ by role."""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES, TALLY_ROLES, can_report, role_label

REPORT = "menu:report"
NIL = "menu:nil"
MINE = "menu:mine"
PENDING = "menu:pending"
TALLY = "menu:tally"
LEAVE = "menu:leave"
HELP = "menu:help"


def menu_choices(ctx: Context) -> list[list[Choice]]:
    """Buttons for what this member may do."""
    assert ctx.member is not None
    role = ctx.member.role
    rows: list[list[Choice]] = []
    if can_report(role):
        rows.append([Choice(ctx.t("menu.report"), REPORT)])
        rows.append([Choice(ctx.t("menu.nil"), NIL)])
        rows.append([Choice(ctx.t("menu.mine"), MINE)])
    if role in TALLY_ROLES:
        rows.append([Choice(ctx.t("menu.tally"), TALLY)])
    if role in OVERSIGHT_ROLES:
        rows.append([Choice(ctx.t("menu.pending"), PENDING)])
    if can_report(role) or role in OVERSIGHT_ROLES:  # own leave, or leave for members
        rows.append([Choice(ctx.t("menu.leave"), LEAVE)])
    rows.append([Choice(ctx.t("menu.help"), HELP)])
    return rows


async def show(ctx: Context, intro: str | None = None) -> None:
    """Greet a known member by name and offer what they can do."""
    assert ctx.member is not None
    head = intro or ctx.t(
        "menu.title",
        name=ctx.member.full_name,
        role=role_label(ctx.member.role, ctx.locale),
        unit=ctx.member.unit_name,
    )
    ctx.reply(head, menu_choices(ctx))


async def show_help(ctx: Context) -> None:
    """Explain the commands of this member's role in plain words."""
    assert ctx.member is not None
    role = ctx.member.role
    parts = [ctx.t("help.title")]
    if can_report(role):
        parts.append(ctx.t("help.reporter"))
    if role in TALLY_ROLES:
        parts.append(ctx.t("help.tally"))
    if role in OVERSIGHT_ROLES:
        parts.append(ctx.t("help.oversight"))
    parts.append(ctx.t("help.common"))
    ctx.reply("\n\n".join(parts), menu_choices(ctx))
