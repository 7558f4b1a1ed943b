"""/baocaocuatoi: a member's recent reports, with edit and withdraw until the edit deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core import dates
from bot.core.clock import iso
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Attachment, Choice
from bot.reports import changes, filling
from bot.reports.alert_log import alert_log
from bot.reports.alert_media import playable_on, voice_answers
from bot.reports.credit import notify_teammates
from bot.reports.drafts import EditDraft
from bot.reports.forms import Category, FieldDef
from bot.reports.lifecycle import State
from bot.reports.saving import split_answers
from handlers import fields, menu
from handlers.commands import HOME, MINE, handles
from storage import incidents, reports
from storage.reports import Report

OPEN = "my:"
EDIT = "ed:"
WITHDRAW = "wd:"
WITHDRAW_YES = "wy:"
FIELD = "ef:"
SAVE = "es:save"


@handles("baocaocuatoi")
async def show(ctx: Context) -> None:
    """List the member's latest reports as buttons."""
    assert ctx.member is not None
    rows = await reports.recent_of_member(
        ctx.tx, ctx.member.id, ctx.services.config.reports.recent_limit
    )
    if not rows:
        await menu.show(ctx, ctx.t("mine.empty"))
        return
    buttons = [[Choice(_line(ctx, row), OPEN + str(row.id))] for row in rows]
    buttons.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply(ctx.t("mine.title"), buttons)


def _line(ctx: Context, row: Report) -> str:
    kind = row.kind
    title = ctx.forms.title(kind, ctx.locale)
    status = ctx.t("mine.withdrawn") if row.status == "withdrawn" else ""
    return f"{row.number} · {title} · {dates.stored_day(row.report_date)}{status}"


async def _owned(ctx: Context, report_id_text: str) -> Report | None:
    """The report if it exists and belongs to the caller; None otherwise (same answer both)."""
    assert ctx.member is not None
    report_id = parse_id(report_id_text)
    if report_id is None:
        return None
    row = await reports.get(ctx.tx, report_id)
    if row is None or row.member_id != ctx.member.id:
        return None
    return row


def _editable(ctx: Context, row: Report) -> bool:
    return row.status == "active" and ctx.now < datetime.fromisoformat(row.edit_until)


async def on_button(ctx: Context) -> None:
    """Buttons of the list and of a report's detail view."""
    value = ctx.value or ""
    for prefix, action in (
        (OPEN, _open),
        (EDIT, _start_edit),
        (WITHDRAW, _ask_withdraw),
        (WITHDRAW_YES, _withdraw),
    ):
        if value.startswith(prefix):
            row = await _owned(ctx, value[len(prefix) :])
            if row is None:
                await menu.show(ctx, ctx.t("mine.not_found"))
                return
            await action(ctx, row)
            return


async def _open(ctx: Context, row: Report) -> None:
    kind = row.kind
    lines = [_line(ctx, row), ""]
    voices: list[Attachment] = []
    if ctx.forms.has(kind):
        category = ctx.forms.get(kind)
        answers = reports.answers(row)
        lines.extend(await filling.summary_lines(ctx, category, answers))
        voices = _voices(ctx, category, row.number, answers)
    if row.ack_at:
        lines.append(ctx.t("mine.acknowledged", time=dates.stored_stamp(row.ack_at)))
    lines.extend(await _state_line(ctx, row))
    if row.urgent:  # who the alerts reached and when, so the member knows who was told
        ladder = ctx.services.config.alerts.escalation
        lines.append(await alert_log(ctx.tx, ctx.services.texts, ctx.locale, row.id, ladder))
    buttons: list[list[Choice]] = []
    if _editable(ctx, row) and kind != "nil":
        buttons.append([Choice(ctx.t("mine.edit"), EDIT + str(row.id))])
    if _editable(ctx, row) and row.confirmed_at is None:  # confirmed: no longer withdrawn
        buttons.append([Choice(ctx.t("mine.withdraw"), WITHDRAW + str(row.id))])
        lines.append("")
        lines.append(ctx.t("mine.editable_until", time=dates.stored_stamp(row.edit_until)))
    elif row.status == "active":
        lines.append("")
        lines.append(ctx.t("mine.locked", time=dates.stored_stamp(row.edit_until)))
    buttons.append([Choice(ctx.t("mine.back_to_list"), MINE)])
    ctx.reply("\n".join(lines), buttons, attachments=voices)


async def _state_line(ctx: Context, row: Report) -> list[str]:
    """Where the police have got to with an urgent report, past taking it up (that has its
    own line): the member sees the same state they were told of."""
    if row.state is None or row.state in (State.RECEIVED, State.ACKNOWLEDGED):
        return []
    events = await incidents.events_of(ctx.tx, row.id)
    at = next((e.at for e in reversed(events) if e.state == row.state), None)
    state = ctx.t(f"case.state_{row.state}")
    return [ctx.t("mine.state", state=state, time=dates.stored_stamp(at) if at else "")]


def _voices(
    ctx: Context, category: Category, number: str, answers: dict[str, Any]
) -> list[Attachment]:
    """The report's voice notes, to play after its details (on the messenger they came from)."""
    return [
        Attachment.voice(
            ref, ctx.t("voice.mine", number=number, label=category.field(key).label.get(ctx.locale))
        )
        for key, ref in voice_answers(category, answers)
        if playable_on(ctx.inbound.channel, ref)
    ]


async def _ask_withdraw(ctx: Context, row: Report) -> None:
    if not _editable(ctx, row):
        await _open(ctx, row)
        return
    refusal = await changes.withdrawal_refusal(ctx, row)
    if refusal is not None:
        await menu.show(ctx, refusal)
        return
    ctx.reply(
        ctx.t("mine.withdraw_confirm", number=row.number),
        [
            [Choice(ctx.t("mine.withdraw_yes"), WITHDRAW_YES + str(row.id))],
            [Choice(ctx.t("nav.back"), OPEN + str(row.id))],
        ],
    )


async def _withdraw(ctx: Context, row: Report) -> None:
    assert ctx.member is not None
    if not _editable(ctx, row):
        await _open(ctx, row)
        return
    refusal = await changes.withdrawal_refusal(ctx, row)
    if refusal is not None:
        await menu.show(ctx, refusal)
        return
    await reports.withdraw(ctx.tx, row.id, ctx.now_iso)
    await reports.audit(
        ctx.tx,
        row.id,
        ctx.member.id,
        "withdraw",
        reports.answers(row),
        None,
        ctx.now_iso,
    )
    await changes.withdrawn(ctx, row)
    await menu.show(ctx, ctx.t("mine.withdrawn_ok", number=row.number))


async def _start_edit(ctx: Context, row: Report) -> None:
    if not _editable(ctx, row) or not ctx.forms.has(row.kind):
        await _open(ctx, row)
        return
    ctx.park()  # a report draft in progress (or one parked already) comes back after
    ctx.state.open(EditDraft(report_id=row.id, answers=reports.answers(row)))
    await _pick(ctx, ctx.forms.get(row.kind), row)


async def _pick(ctx: Context, category: Category, row: Report, prefix: str = "") -> None:
    answers = ctx.state.require(EditDraft).answers
    lines = [prefix] if prefix else []
    lines.append(ctx.t("edit.title", number=row.number))
    lines.append("")
    lines.extend(await filling.summary_lines(ctx, category, answers))
    lines.append("")
    locked = changes.locked_keys(category, row)
    if locked:  # confirmed by an officer: not offered
        lines.append(await changes.locked_message(ctx, category, row))
    lines.append(ctx.t("edit.pick"))
    buttons = [
        [Choice(f.label.get(ctx.locale), FIELD + f.key)]
        for f in filling.applicable(category, answers)
        if f.key not in locked
    ]
    buttons.append([Choice(ctx.t("edit.save"), SAVE)])
    buttons.append([Choice(ctx.t("nav.cancel"), fields.CANCEL)])
    ctx.reply("\n".join(lines), buttons)


async def on_edit_input(ctx: Context) -> None:
    """One step of editing a report: pick a field, answer it, save or cancel."""
    state = ctx.state.require(EditDraft)
    row = await _owned(ctx, str(state.report_id))
    if ctx.value == fields.CANCEL or row is None:
        ctx.reset()
        await menu.show(ctx, ctx.t("edit.cancelled"))
        return
    if not _editable(ctx, row):
        ctx.reset()
        await menu.show(ctx, ctx.t("mine.locked", time=dates.stored_stamp(row.edit_until)))
        return
    category = ctx.forms.get(row.kind)
    key = state.field
    if key is None:
        await _on_pick(ctx, category, row)
        return
    fdef = category.field(str(key))
    if ctx.value == fields.BACK:
        state.field = None
        await _pick(ctx, category, row)
        return
    complete, value = await fields.take_answer(ctx, category, fdef, state)
    if not complete:
        return
    state.answers[fdef.key] = value
    state.field = None
    await _pick(ctx, category, row)


async def _on_pick(ctx: Context, category: Category, row: Report) -> None:
    value = ctx.value or ""
    if value == SAVE:
        await _save(ctx, category, row)
        return
    key = value[len(FIELD) :] if value.startswith(FIELD) else ""
    keys = {f.key for f in filling.applicable(category, ctx.state.require(EditDraft).answers)}
    if key in changes.locked_keys(category, row):
        await _pick(ctx, category, row, "⚠️ " + await changes.locked_message(ctx, category, row))
        return
    if key not in keys:
        await _pick(ctx, category, row, "⚠️ " + ctx.t("error.choice"))
        return
    await _ask_field(ctx, category, category.field(key))


async def _ask_field(ctx: Context, category: Category, fdef: FieldDef, prefix: str = "") -> None:
    """Open one field of the report for a new answer, starting from its earlier picks."""
    draft = ctx.state.require(EditDraft)
    answers = draft.answers
    pending = filling.pending_from(fdef.type, answers.get(fdef.key))
    draft.field = fdef.key
    draft.pending = pending
    await fields.ask(ctx, category, fdef, answers, pending, prefix=prefix)


async def _save(ctx: Context, category: Category, row: Report) -> None:
    assert ctx.member is not None
    edited = ctx.state.require(EditDraft).answers
    applicable = filling.applicable(category, edited)
    answers = {k: v for k, v in edited.items() if k in {f.key for f in applicable}}
    for f in applicable:  # a preset yes/no an edit made applicable takes its preset
        if f.type == "yes_no" and isinstance(f.default, bool):
            answers.setdefault(f.key, f.default)
    missing = [f for f in applicable if f.required and answers.get(f.key) is None]
    if missing:
        # An edit made a required question applicable (e.g. "arrived in time" once
        # "mobilised" became yes): ask it before saving.
        await _ask_field(ctx, category, missing[0], "⚠️ " + ctx.t("edit.needs_answer"))
        return
    data, participants, media = split_answers(category, answers)
    before = reports.answers(row)
    report_id = row.id
    locked = changes.locked_keys(category, row)
    if any(before.get(key) != data.get(key) for key in locked):  # confirmed meanwhile
        ctx.reset()
        await menu.show(ctx, await changes.locked_message(ctx, category, row))
        return
    if data != before:
        report_date = str(data.get("date") or row.report_date)
        now = iso(ctx.now)
        await reports.update_data(ctx.tx, report_id, report_date, data, now)
        credited = set(await reports.participants_of(ctx.tx, report_id))
        await reports.set_participants(ctx.tx, report_id, participants)
        added = set(participants) - credited
        if added:
            await notify_teammates(ctx, category, report_id, row.number, data, added)
        await reports.set_media(ctx.tx, report_id, ctx.inbound.channel, media)
        await reports.audit(ctx.tx, report_id, ctx.member.id, "edit", before, data, now)
        await changes.edited(ctx, category, row, before, data)
        text = ctx.t("edit.saved", number=row.number)
    else:
        text = ctx.t("edit.unchanged", number=row.number)
    ctx.reset()
    await menu.show(ctx, text)
