"""Which handler gets an update: commands first, then global buttons, then the open dialog."""

from __future__ import annotations

from bot.core.engine import Context, Handler
from bot.reports.alert_message import ACK_PREFIX
from bot.reports.credit import NOT_ME
from bot.reports.lifecycle import CASE_PREFIX, DUP_PREFIX
from handlers import (
    announce,
    case,
    case_steps,
    commend,
    credit,
    duplicate,
    history,  # noqa: F401  (declares /lichsu)
    language,
    leave,
    link,
    manage,
    menu,
    myreports,
    phase_report,
    phone,
    police,
    rejoin,
    report,
    start,
    supervised,
    tally,
    targets,  # noqa: F401  (declares /chitieu)
    tinbao,
    traps,
    web,  # noqa: F401  (declares /web)
)
from handlers.commands import REGISTRY

# Built from the command list: /start and /lienket work for strangers too (that is how they
# become known here); every other command only for registered members.
OPEN_COMMANDS: dict[str, Handler] = {n: c.handler for c in REGISTRY if c.strangers for n in c.names}
COMMANDS: dict[str, Handler] = {n: c.handler for c in REGISTRY if not c.strangers for n in c.names}
BUTTONS: dict[str, Handler] = {c.button.value: c.handler for c in REGISTRY if c.button is not None}

BUTTON_PREFIXES = (
    (ACK_PREFIX, police.acknowledge),
    (CASE_PREFIX, case.open_case),
    (case_steps.PREFIX, case_steps.on_button),
    (NOT_ME, credit.not_me),
    (language.PREFIX, language.choose),
    (tally.PREFIX, tally.on_button),
    (phase_report.PREFIX, phase_report.on_button),
    (commend.PREFIX, commend.on_button),
    (announce.PREFIX, announce.on_button),
    (leave.PREFIX, leave.on_button),
    (manage.PREFIX, manage.on_button),
    (supervised.PREFIX, supervised.on_button),
    (link.PREF_PREFIX, link.choose_preference),
    (myreports.OPEN, myreports.on_button),
    (myreports.EDIT, myreports.on_button),
    (myreports.WITHDRAW, myreports.on_button),
    (myreports.WITHDRAW_YES, myreports.on_button),
    (tinbao.PREFIX, tinbao.on_button),
    (phone.PREFIX, phone.on_button),
    (DUP_PREFIX, duplicate.begin),
    (duplicate.PICK, duplicate.on_button),
    (duplicate.YES, duplicate.on_button),
    (duplicate.QUIT, duplicate.on_button),
)

FLOWS = {
    "report": report.on_input,
    "edit": myreports.on_edit_input,
    tally.FLOW: tally.on_range_input,
    announce.FLOW: announce.on_input,
    leave.FLOW: leave.on_input,
    duplicate.FLOW: duplicate.on_input,
    case_steps.FLOW: case_steps.on_input,
    phone.FLOW: phone.on_input,
    manage.FLOW: manage.on_input,
    supervised.FLOW: supervised.on_input,
    rejoin.FLOW: rejoin.on_input,
    commend.FLOW: commend.on_input,
}


async def route(ctx: Context) -> None:
    """Dispatch one update; strangers only ever reach the joining dialog."""
    command = ctx.inbound.command
    if command in OPEN_COMMANDS:
        await OPEN_COMMANDS[command](ctx)
        return
    if ctx.member is None:
        await _stranger(ctx)
        return
    if command:
        await _command(ctx, command)
        return
    await _input(ctx)


async def _stranger(ctx: Context) -> None:
    """Someone not registered: the joining dialog, or how to join."""
    if ctx.state.name == "join" and not ctx.inbound.command:
        await start.on_input(ctx)
    else:
        ctx.reset()
        await start.not_registered(ctx)


async def _command(ctx: Context, command: str) -> None:
    """A member's command; an unknown one is named and answered with the help."""
    handler = COMMANDS.get(command)
    if handler is None:
        ctx.reply(ctx.t("error.unknown_command", command=ctx.quote(command)))
        await menu.show_help(ctx)
        return
    await handler(ctx)


async def _input(ctx: Context) -> None:
    """A member's button or typed text: a button means what it says, else the open dialog.

    A typed choice of the newest message (a reminder's "1" on Zalo) is that message's button,
    even with a dialog open; other text typed after such a message is checked before the
    open dialog takes it (see handlers/traps.py).
    """
    value = ctx.value or ""
    flow = FLOWS.get(str(ctx.state.name))
    if value.startswith(traps.PREFIX):
        await traps.on_button(ctx, flow)
        return
    if flow is not None and traps.is_stale(ctx):
        traps.check(ctx)
        return
    if ctx.inbound.button is not None or flow is None or ctx.via_aside:
        # A pressed button means what it says, even on an old message; so does a typed
        # choice when no dialog is open. A report draft in progress is parked, kept for
        # /baocao, and the member is told once how to come back to it.
        handler = _global(value)
        if handler is not None:
            traps.park_for(ctx)
            await handler(ctx)
            traps.tell_back(ctx)
            return
    if flow is not None:
        await flow(ctx)
        return
    await menu.show(ctx, ctx.t("voice.no_question") if ctx.inbound.voice else None)


def _global(value: str) -> Handler | None:
    """The handler of a button that means the same wherever it is (menu, alerts, notices)."""
    if value in BUTTONS:
        return BUTTONS[value]
    for prefix, handler in BUTTON_PREFIXES:
        if value.startswith(prefix):
            return handler
    return None
