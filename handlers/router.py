"""Which handler gets an update: commands first, then global buttons, then the open dialog."""

from __future__ import annotations

from bot.core.engine import Context
from bot.reports.saving import ACK_PREFIX
from handlers import announce, language, leave, link, menu, myreports, police, report, start, tally

COMMANDS = {
    "baocao": report.begin,
    "report": report.begin,
    "khongcovuviec": report.file_nil,
    "nil": report.file_nil,
    "baocaocuatoi": myreports.show,
    "myreports": myreports.show,
    "tinbao": police.pending,
    "pending": police.pending,
    "thongke": tally.begin,
    "tally": tally.begin,
    "thongbao": announce.begin,
    "announce": announce.begin,
    "nghiphep": leave.begin,
    "leave": leave.begin,
    "menu": menu.show,
    "ngonngu": language.ask,
    "language": language.ask,
    "trogiup": menu.show_help,
    "help": menu.show_help,
    "kenhnhan": link.ask_preference,
    "messenger": link.ask_preference,
}

BUTTONS = {
    report.ANOTHER: report.begin,
    menu.NIL: report.file_nil,
    menu.MINE: myreports.show,
    menu.PENDING: police.pending,
    menu.TALLY: tally.begin,
    menu.LEAVE: leave.begin,
    menu.HELP: menu.show_help,
    "menu:home": menu.show,
}

BUTTON_PREFIXES = (
    (ACK_PREFIX, police.acknowledge),
    (language.PREFIX, language.choose),
    (tally.PREFIX, tally.on_button),
    (announce.PREFIX, announce.on_button),
    (leave.PREFIX, leave.on_button),
    (link.PREF_PREFIX, link.choose_preference),
    (myreports.OPEN, myreports.on_button),
    (myreports.EDIT, myreports.on_button),
    (myreports.WITHDRAW, myreports.on_button),
    (myreports.WITHDRAW_YES, myreports.on_button),
)

FLOWS = {
    "report": report.on_input,
    "edit": myreports.on_edit_input,
    tally.FLOW: tally.on_range_input,
    announce.FLOW: announce.on_input,
    leave.FLOW: leave.on_input,
}


async def route(ctx: Context) -> None:
    """Dispatch one update; strangers only ever reach the joining dialog."""
    command = ctx.inbound.command
    if command == "start":
        await start.on_start(ctx)
        return
    if command in link.COMMANDS:  # strangers too: linking is how they become known here
        await link.on_link(ctx)
        return
    if ctx.member is None:
        if ctx.state.name == "join" and not command:
            await start.on_input(ctx)
        else:
            ctx.reset()
            await start.not_registered(ctx)
        return
    if command in {"huy", "cancel"}:
        had_flow = ctx.state.flow is not None
        ctx.reset()  # cancelling an edit gives back the report draft it parked
        await menu.show(ctx, ctx.t("wizard.cancelled" if had_flow else "wizard.nothing_to_cancel"))
        return
    if command:
        handler = COMMANDS.get(command)
        if handler is None:
            ctx.reply(ctx.t("error.unknown_command", command=ctx.quote(command)))
            await menu.show_help(ctx)
            return
        await handler(ctx)
        return
    value = ctx.value or ""
    flow = FLOWS.get(str(ctx.state.name))
    if ctx.inbound.button is not None or flow is None:
        # A pressed button means what it says, even on an old message; so does a typed
        # choice when no dialog is open. A dialog in progress keeps its draft either way.
        if value in BUTTONS:
            await BUTTONS[value](ctx)
            return
        for prefix, handler in BUTTON_PREFIXES:
            if value.startswith(prefix):
                await handler(ctx)
                return
    if flow is not None:
        await flow(ctx)
        return
    await menu.show(ctx)
