"""The main menu and help, which differ by role."""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import role_label
from handlers.commands import handles, help_keys, menu_buttons


def menu_choices(ctx: Context) -> list[list[Choice]]:
    """Buttons for what this member may do."""
    assert ctx.member is not None
    return [[Choice(ctx.t(b.label), b.value)] for b in menu_buttons(ctx.member.role)]


@handles("menu")
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


@handles("trogiup")
async def show_help(ctx: Context) -> None:
    """Explain the commands of this member's role in plain words."""
    assert ctx.member is not None
    parts = [ctx.t("help.title")] + [ctx.t(key) for key in help_keys(ctx.member.role)]
    ctx.reply("\n\n".join(parts), menu_choices(ctx))


@handles("huy")
async def cancel(ctx: Context) -> None:
    """/huy: drop whatever dialog is open and say whether there was one."""
    had_flow = ctx.state.name is not None
    ctx.reset()  # cancelling an edit gives back the report draft it parked
    await show(ctx, ctx.t("wizard.cancelled" if had_flow else "wizard.nothing_to_cancel"))
