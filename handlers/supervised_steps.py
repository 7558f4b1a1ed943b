"""The typed steps of /quanly: a new person's code, name and day; the day management ended
or a reoffence happened; withdrawing a reoffence. Each returns the line to show above the
team's list once the change is made (None: the step was asked again, nothing saved).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.typed_dates import FORMS, read_day
from bot.people import supervised as register
from bot.people.supervised import Editor, RegisterRefused
from storage import supervised
from storage.supervised import Person
from storage.units import Unit

PREFIX = "sup:"
FLOW = "supervised"
QUIT = PREFIX + "quit"
BACK = PREFIX + "back"
ADD = PREFIX + "add"
SKIP = PREFIX + "skip"
TODAY = PREFIX + "today"
TEAM = PREFIX + "t:"
PERSON = PREFIX + "p:"
WITHDRAW = PREFIX + "w:"

Step = Literal["team", "list", "person", "code", "name", "since", "end_day", "reoffence_day"]
DayStep = Literal["since", "end_day", "reoffence_day"]
_DAY_STEPS: dict[str, DayStep] = {
    "since": "since",
    "end_day": "end_day",
    "reoffence_day": "reoffence_day",
}


class SupervisedDialog(FlowState):
    """The register dialog: the step, the team shown, the person picked and, while adding
    someone, the code and name typed so far."""

    flow: ClassVar[str] = FLOW

    step: Step = "team"
    unit_id: int | None = None
    person_id: int | None = None
    code: str | None = None
    full_name: str | None = None


def cancel_row(ctx: Context) -> list[Choice]:
    """The button that leaves the dialog (a parked report draft comes back)."""
    return [Choice(ctx.t("nav.cancel"), QUIT)]


def _editor(ctx: Context) -> Editor:
    assert ctx.member is not None
    return Editor.of(ctx.member)


async def ask_code(ctx: Context, prefix: str = "") -> None:
    """A new person's code or initials, typed."""
    dialog = ctx.state.require(SupervisedDialog)
    dialog.step, dialog.code, dialog.full_name = "code", None, None
    lines = [prefix] if prefix else []
    lines.append(ctx.t("supervised.ask_code", max=register.CODE_MAX))
    ctx.reply("\n".join(lines), [[Choice(ctx.t("supervised.back"), BACK)]], free_input=True)


async def _ask_name(ctx: Context, prefix: str = "") -> None:
    """Their full name, typed, or skipped (the code is enough)."""
    dialog = ctx.state.require(SupervisedDialog)
    dialog.step = "name"
    lines = [prefix] if prefix else []
    lines.append(ctx.t("supervised.ask_name", code=dialog.code or ""))
    rows = [[Choice(ctx.t("supervised.skip_name"), SKIP)], cancel_row(ctx)]
    ctx.reply("\n".join(lines), rows, free_input=True)


async def ask_day(ctx: Context, step: DayStep, prefix: str = "") -> None:
    """A day: today's button, or one typed as villagers write it."""
    dialog = ctx.state.require(SupervisedDialog)
    dialog.step = step
    today = ctx.now.date()
    lines = [prefix] if prefix else []
    lines.append(ctx.t(f"supervised.ask_{step}", forms=FORMS))
    rows = [
        [Choice(ctx.t("manage.today", day=dates.day(today)), TODAY)],
        [Choice(ctx.t("supervised.back"), BACK)],
    ]
    ctx.reply("\n".join(lines), rows, free_input=True)


async def on_step(ctx: Context, team: Unit, value: str) -> str | None:
    """One answer to a typed step; the line saying what was saved, or None (asked again)."""
    dialog = ctx.state.require(SupervisedDialog)
    assert ctx.member is not None
    if not register.may_edit(ctx.member, team):
        return "⚠️ " + ctx.t("supervised.codes_only")
    if dialog.step == "code":
        await _take_code(ctx, team)
        return None
    if dialog.step == "name":
        await _take_name(ctx, value)
        return None
    step = _DAY_STEPS.get(dialog.step)
    if step is None:  # not a step of this module: the list again
        return ""
    if value == TODAY:
        day = ctx.now.date()
    elif value or not ctx.text:
        await ask_day(ctx, step, "⚠️ " + ctx.t("error.choice"))
        return None
    else:
        typed = read_day(ctx.text, ctx.now.date())
        if typed is None:
            await ask_day(ctx, step, ctx.t("people.date_unknown", typed=ctx.quote(ctx.text)))
            return None
        day = typed
    try:
        return await _apply(ctx, team, step, day)
    except RegisterRefused as refused:
        await ask_day(ctx, step, ctx.t(refused.key, **refused.params))
        return None


async def _take_code(ctx: Context, team: Unit) -> None:
    """A typed code: checked here (shape, free in the team) so a bad one is asked again at
    once, and again when the person is saved."""
    dialog = ctx.state.require(SupervisedDialog)
    if not ctx.text or ctx.value:
        await ask_code(ctx, "⚠️ " + ctx.t("error.need_text"))
        return
    code = register.clean_code(ctx.text)
    if not register.valid_code(code):
        await ask_code(ctx, ctx.t("supervised.bad_code", max=register.CODE_MAX))
    elif await supervised.by_code(ctx.tx, team.id, code) is not None:
        await ask_code(ctx, ctx.t("supervised.code_taken", code=code))
    else:
        dialog.code = code
        await _ask_name(ctx)


async def _take_name(ctx: Context, value: str) -> None:
    """A typed full name, or none."""
    dialog = ctx.state.require(SupervisedDialog)
    if value == SKIP:
        dialog.full_name = None
    elif value or not ctx.text:
        await _ask_name(ctx, "⚠️ " + ctx.t("error.choice"))
        return
    elif len(ctx.text) > register.NAME_MAX:
        await _ask_name(ctx, ctx.t("supervised.long_name", max=register.NAME_MAX))
        return
    else:
        dialog.full_name = " ".join(ctx.text.split())
    await ask_day(ctx, "since")


async def _apply(ctx: Context, team: Unit, step: DayStep, day: date) -> str | None:
    """Make the change the day completes; raises `RegisterRefused` with nothing saved."""
    dialog = ctx.state.require(SupervisedDialog)
    today, now = ctx.now.date(), ctx.now_iso
    if step == "since":
        added = await register.add(
            ctx.tx, _editor(ctx), now, team, dialog.code or "", dialog.full_name, day, today
        )
        return ctx.t("supervised.added", code=added.code, day=dates.day(day))
    person = await supervised.get(ctx.tx, dialog.person_id or 0)
    if person is None or person.unit_id != team.id or person.until is not None:
        return "⚠️ " + ctx.t("supervised.gone")
    if step == "end_day":
        await register.end(ctx.tx, _editor(ctx), now, person, day, today)
        return ctx.t("supervised.ended", code=person.code, day=dates.day(day))
    await register.reoffence(ctx.tx, _editor(ctx), now, person, day, today)
    return ctx.t("supervised.reoffence_recorded", code=person.code, day=dates.day(day))


async def withdraw(ctx: Context, person: Person, reoffence_id: int) -> str:
    """Withdraw a reoffence entered by mistake; the line to show above the list."""
    try:
        await register.withdraw(ctx.tx, _editor(ctx), ctx.now_iso, person, reoffence_id)
    except RegisterRefused as refused:
        return ctx.t(refused.key, **refused.params)
    return ctx.t("supervised.withdrawn", code=person.code)
