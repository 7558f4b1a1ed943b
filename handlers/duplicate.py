"""Two reports of one incident: an officer marks an urgent report as the same incident as
another, which then counts it once; both reporters are told.

From the case view's button (dup:<id>) the officer picks the other report among the open and
recent ones of the commune, or types its number; then confirms. The pick and confirm buttons
carry both ids and every rule is checked again on each press, since buttons can be old or
forged; the dialog only waits for a typed number.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice, Outbound
from bot.core.roles import ALERT_ROLES, in_scope
from bot.reports.lifecycle import DUP_PREFIX, OPEN_STATES
from bot.reports.numbers import parse_number
from handlers import menu
from handlers.tinbao import age, place_text
from storage import caselists, members
from storage.caselists import CaseLine
from storage.subtree import SEPARATOR

FLOW = "duplicate"
PICK = "dupk:"  # + <report id>:<other id>
YES = "dupy:"  # + <report id>:<other id>
QUIT = "dupx:"
RECENT_DAYS = 7
MAX_CANDIDATES = 8
_OPEN = tuple(sorted(OPEN_STATES))


class DuplicateDialog(FlowState):
    """Waiting for the number of the report this one repeats."""

    flow: ClassVar[str] = FLOW

    report_id: int


async def begin(ctx: Context) -> None:
    """dup:<id>: ask which report this one repeats, offering the commune's likely ones."""
    report = await _own_report(ctx, parse_id((ctx.value or "")[len(DUP_PREFIX) :]))
    if report is None:
        return
    ctx.park()
    ctx.state.open(DuplicateDialog(report_id=report.id))
    area = _commune_of(report.unit_path)
    assert ctx.member is not None
    if not in_scope(ctx.member.unit_path, area):
        area = ctx.member.unit_path
    since = (ctx.now - timedelta(days=RECENT_DAYS)).isoformat()
    found = await caselists.same_incident_candidates(
        ctx.tx, area, report.id, _OPEN, since, MAX_CANDIDATES
    )
    rows = [[Choice(_candidate_label(ctx, row), f"{PICK}{report.id}:{row.id}")] for row in found]
    rows.append([Choice(ctx.t("nav.cancel"), QUIT)])
    key = "tinbao.dup_ask" if found else "tinbao.dup_ask_none"
    text = ctx.t(key, number=report.number, days=RECENT_DAYS, year=ctx.now.year)
    ctx.reply(text, rows, free_input=True)


async def on_button(ctx: Context) -> None:
    """A pick, confirm or cancel button, pressed now or on an old message."""
    value = ctx.value or ""
    if value.startswith(QUIT):
        if ctx.state.get(DuplicateDialog) is not None:
            ctx.reset()
        await menu.show(ctx, ctx.t("wizard.cancelled"))
        return
    prefix = PICK if value.startswith(PICK) else YES
    first, _, second = value[len(prefix) :].partition(":")
    report = await _own_report(ctx, parse_id(first))
    if report is None:
        return
    open_now = ctx.state.get(DuplicateDialog)
    if open_now is None or open_now.report_id != report.id:
        ctx.park()  # a refusal asks for another number: the dialog waits for it
        ctx.state.open(DuplicateDialog(report_id=report.id))
    other = await caselists.line(ctx.tx, parse_id(second) or 0)
    if prefix == PICK:
        await _confirm(ctx, report, other)
    else:
        await _save(ctx, report, other)


async def on_input(ctx: Context) -> None:
    """The open dialog: a typed (or numbered) choice, or a typed report number."""
    value = ctx.value or ""
    if value.startswith((PICK, YES, QUIT, DUP_PREFIX)):
        await (begin(ctx) if value.startswith(DUP_PREFIX) else on_button(ctx))
        return
    dialog = ctx.state.require(DuplicateDialog)
    report = await _own_report(ctx, dialog.report_id)
    if report is None:
        ctx.reset()
        return
    typed = ctx.text
    number = parse_number(typed, ctx.now.year)
    other_id = await caselists.id_by_number(ctx.tx, number) if number else None
    if other_id is None:
        ctx.reply(
            ctx.t("tinbao.dup_typed_unknown", typed=ctx.quote(typed), year=ctx.now.year),
            [[Choice(ctx.t("nav.cancel"), QUIT)]],
            free_input=True,
        )
        return
    await _confirm(ctx, report, await caselists.line(ctx.tx, other_id))


def _commune_of(unit_path: str) -> str:
    """A report's commune: the unit above the reporter's team."""
    return unit_path.rsplit(SEPARATOR, 1)[0] if SEPARATOR in unit_path else unit_path


def _candidate_label(ctx: Context, row: CaseLine) -> str:
    title = ctx.forms.title(row.kind, ctx.locale)
    return ctx.t("tinbao.dup_button", number=row.number, title=title, age=age(ctx, row.created_at))


async def _own_report(ctx: Context, report_id: int | None) -> CaseLine | None:
    """The report being marked, when this officer may mark it: an open urgent report of
    their area. Replies (and returns None) otherwise."""
    assert ctx.member is not None
    row = await caselists.line(ctx.tx, report_id) if report_id is not None else None
    if (
        row is None
        or not row.urgent
        or row.status != "active"
        or not in_scope(ctx.member.unit_path, row.unit_path)
    ):
        ctx.reply(ctx.t("ack.not_found"))
        return None
    if ctx.member.role not in ALERT_ROLES:
        ctx.reply(ctx.t("ack.not_allowed"))
        return None
    if row.duplicate_of is not None:
        original = await caselists.line(ctx.tx, row.duplicate_of)
        other = original.number if original else "?"
        ctx.reply(ctx.t("tinbao.dup_already", number=row.number, other=other))
        return None
    if row.state not in OPEN_STATES:
        ctx.reply(ctx.t("tinbao.dup_closed", number=row.number))
        return None
    return row


async def _original(
    ctx: Context, report: CaseLine, other: CaseLine | None
) -> tuple[CaseLine | None, str | None]:
    """The report `report` may be folded into: `other`, or the one `other` was folded into.
    Returns it, or None and the refusal the officer reads."""
    assert ctx.member is not None
    followed = None
    if other is not None and other.duplicate_of is not None:
        followed = other
        other = await caselists.line(ctx.tx, other.duplicate_of)
    if other is None:
        return None, ctx.t("ack.not_found")
    if not in_scope(ctx.member.unit_path, other.unit_path):
        return None, ctx.t("tinbao.dup_out_of_scope", other=other.number)
    if not other.urgent:
        return None, ctx.t("tinbao.dup_not_urgent", other=other.number)
    if other.status != "active":
        return None, ctx.t("tinbao.dup_withdrawn", other=other.number)
    if other.id == report.id:
        if followed is not None:
            return None, ctx.t(
                "tinbao.dup_self_followed", picked=followed.number, number=report.number
            )
        return None, ctx.t("tinbao.dup_self")
    return other, None


async def _confirm(ctx: Context, report: CaseLine, picked: CaseLine | None) -> None:
    """Show both reports side by side and ask once more: folding cannot be undone here."""
    other, refusal = await _original(ctx, report, picked)
    if other is None:
        ctx.reply(refusal or "", [[Choice(ctx.t("nav.cancel"), QUIT)]], free_input=True)
        return
    lines = []
    if picked is not None and picked.id != other.id:
        lines += [ctx.t("tinbao.dup_followed", picked=picked.number, other=other.number), ""]
    lines.append(
        ctx.t(
            "tinbao.dup_confirm",
            number=report.number,
            line=_summary(ctx, report),
            other=other.number,
            other_line=_summary(ctx, other),
        )
    )
    rows = [
        [Choice(ctx.t("tinbao.dup_yes"), f"{YES}{report.id}:{other.id}")],
        [Choice(ctx.t("nav.cancel"), QUIT)],
    ]
    ctx.reply("\n".join(lines), rows)


def _summary(ctx: Context, row: CaseLine) -> str:
    title = ctx.forms.title(row.kind, ctx.locale)
    parts = [title, row.unit_name, place_text(ctx, row.place), age(ctx, row.created_at)]
    return " · ".join(part for part in parts if part)


async def _save(ctx: Context, report: CaseLine, picked: CaseLine | None) -> None:
    """Fold the report into the original and tell both reporters, each in their language."""
    assert ctx.member is not None
    other, refusal = await _original(ctx, report, picked)
    if other is None:
        ctx.reply(refusal or "", [[Choice(ctx.t("nav.cancel"), QUIT)]], free_input=True)
        return
    if ctx.state.get(DuplicateDialog) is not None:
        ctx.reset()
    saved = await caselists.mark_duplicate(
        ctx.tx, report.id, other.id, ctx.member.id, ctx.now_iso, _OPEN
    )
    if not saved:
        ctx.reply(ctx.t("tinbao.dup_moved", number=report.number))
        return
    ctx.reply(ctx.t("tinbao.dup_done", number=report.number, other=other.number))
    await _tell(ctx, report, other)
    if other.member_id != report.member_id:
        await _tell(ctx, other, report)


async def _tell(ctx: Context, about: CaseLine, same_as: CaseLine) -> None:
    """One reporter's notice, in their own language."""
    reporter = await members.get(ctx.tx, about.member_id)
    if reporter is None:
        return
    text = ctx.services.texts.t(
        reporter.locale, "tinbao.dup_notice", number=about.number, other=same_as.number
    )
    key = f"dup-notice:{about.id}:{same_as.id}"
    await ctx.notify(reporter.id, key, Outbound(text))
