"""/tinbao: the open urgent reports of an officer's area, oldest first, filtered by state.

Each line says what the report is about (kind, team, place), how long it has waited and
where it stands; a button opens its case view and, while nobody has taken it up, an officer
acknowledges it from here. Buttons carry the filter and the page they show, so an old one
still answers; on Zalo and in the terminal they are numbered lines like any others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.channels.text import clip
from bot.core.engine import Context
from bot.core.folding import fold
from bot.core.model import Choice
from bot.core.roles import ALERT_ROLES, OVERSIGHT_ROLES
from bot.reports.alert_message import ACK_PREFIX
from bot.reports.lifecycle import CASE_PREFIX, OPEN_STATES, State
from handlers import menu
from handlers.commands import HOME, handles
from storage import caselists
from storage.caselists import CaseLine

PREFIX = "tinbao:"  # + <filter>:<offset>
ALL = "all"
PAGE = 5  # reports per message: a phone screen
PLACE = "place"  # the form field holding where it happened (tip and fire alike)
PLACE_CHARS = 32

# In the order of a report's life, which is also the order of the filter buttons.
SHOWN = (State.RECEIVED, State.ACKNOWLEDGED, State.VERIFYING)
assert set(SHOWN) == OPEN_STATES
STATE_KEYS = {
    State.RECEIVED: "tinbao.state_received",
    State.ACKNOWLEDGED: "tinbao.state_acknowledged",
    State.VERIFYING: "tinbao.state_verifying",
}
STATE_MARKS = {State.RECEIVED: "⏳", State.ACKNOWLEDGED: "✅", State.VERIFYING: "🔎"}

# What an officer types after /tinbao (folded, spaces dropped), Vietnamese or English.
TYPED_FILTERS = {
    State.RECEIVED: ("cho", "chotiepnhan", "moi", "new", "waiting", "received", "unacknowledged"),
    State.ACKNOWLEDGED: ("tiepnhan", "datiepnhan", "danhan", "acknowledged", "ack"),
    State.VERIFYING: ("xacminh", "dangxacminh", "verifying", "verify"),
    ALL: ("tatca", "all"),
}


@handles("tinbao")
async def pending(ctx: Context) -> None:
    """`/tinbao [state]`: the open urgent reports of the caller's area, all or one state."""
    if not await _allowed(ctx):
        return
    wanted = ALL
    if ctx.inbound.args:
        found = _typed_filter(ctx.inbound.args)
        if found is None:
            await menu.show(ctx, ctx.t("tinbao.typed_unknown", typed=ctx.quote(ctx.inbound.args)))
            return
        wanted = found
    await show(ctx, wanted, 0)


async def on_button(ctx: Context) -> None:
    """A filter or "more" button: 'tinbao:<filter>:<offset>'; a forged one shows page one."""
    if not await _allowed(ctx):
        return
    wanted, _, offset_text = (ctx.value or "")[len(PREFIX) :].partition(":")
    offset = int(offset_text) if offset_text.isascii() and offset_text.isdigit() else 0
    if wanted not in (ALL, *SHOWN):
        wanted, offset = ALL, 0
    await show(ctx, wanted, min(offset, 10_000))


async def _allowed(ctx: Context) -> bool:
    """Officers, supervisors and admins only; anyone else is told so, with the menu."""
    assert ctx.member is not None
    if ctx.member.role in OVERSIGHT_ROLES:
        return True
    await menu.show(ctx, ctx.t("ack.not_allowed"))
    return False


def _typed_filter(typed: str) -> str | None:
    """The state an officer typed, with or without diacritics ("chờ", "xac minh")."""
    word = fold(typed).replace(" ", "").replace("-", "")
    for state, words in TYPED_FILTERS.items():
        if word in words:
            return state
    return None


async def show(ctx: Context, wanted: str, offset: int) -> None:
    """One page of the list with the filter buttons and counts."""
    assert ctx.member is not None
    me = ctx.member
    counts = await caselists.open_counts(ctx.tx, me.unit_path, SHOWN)
    total = sum(counts.values())
    if total == 0:
        await menu.show(ctx, ctx.t("ack.none_pending"))
        return
    states = SHOWN if wanted == ALL else (wanted,)
    count = total if wanted == ALL else counts.get(wanted, 0)
    if count == 0:
        label = ctx.t(STATE_KEYS[State(wanted)])
        ctx.reply(ctx.t("tinbao.none_in_state", state=label), _filters(ctx, counts, wanted))
        return
    offset = offset if offset < count else 0
    rows = await caselists.open_in(ctx.tx, me.unit_path, states, PAGE, offset)
    if wanted == ALL:
        lines = [ctx.t("tinbao.title", count=count)]
    else:
        lines = [
            ctx.t("tinbao.title_filtered", count=count, state=ctx.t(STATE_KEYS[State(wanted)]))
        ]
    buttons: list[list[Choice]] = []
    can_ack = me.role in ALERT_ROLES
    for row in rows:
        lines += ["", *report_lines(ctx, row)]
        line = [Choice(ctx.t("tinbao.open_case", number=row.number), CASE_PREFIX + str(row.id))]
        if can_ack and row.state == State.RECEIVED:
            line.append(
                Choice(ctx.t("ack.button_for", number=row.number), ACK_PREFIX + str(row.id))
            )
        buttons.append(line)
    rest = count - offset - len(rows)
    if rest > 0:
        lines += ["", ctx.t("tinbao.more", count=rest)]
        more = ctx.t("tinbao.next_page", count=rest)
        buttons.append([Choice(more, f"{PREFIX}{wanted}:{offset + len(rows)}")])
    buttons += _filters(ctx, counts, wanted)
    ctx.reply("\n".join(lines), buttons)


def report_lines(ctx: Context, row: CaseLine) -> list[str]:
    """Two short lines: number and kind; team, place, age and state."""
    kind = ctx.forms.title(row.kind, ctx.locale)
    details = [row.unit_name]
    place = place_text(ctx, row.place)
    if place:
        details.append(place)
    details.append(age(ctx, row.created_at))
    if row.state in STATE_KEYS:
        state = State(row.state)
        details.append(f"{STATE_MARKS[state]} {ctx.t(STATE_KEYS[state])}")
    return [f"{row.number} · {kind}", " · ".join(details)]


def place_text(ctx: Context, place: Any) -> str:
    """A typed address shortened to fit a phone's line, or a mark for a location pin."""
    if isinstance(place, dict) and "lat" in place:
        return ctx.t("tinbao.located")
    text = place.get("text") if isinstance(place, dict) else place
    if isinstance(text, str) and text.strip():
        return clip(" ".join(text.split()), PLACE_CHARS)
    return ""


def age(ctx: Context, since_iso: str) -> str:
    """How long ago, in the largest whole unit: "25 phút", "3 giờ", "2 ngày"."""
    waited = ctx.now - datetime.fromisoformat(since_iso)
    minutes = max(0, int(waited.total_seconds() // 60))
    if minutes < 60:
        return ctx.t("tinbao.age_minutes", n=minutes)
    if minutes < 24 * 60:
        hours = minutes // 60
        return ctx.t("tinbao.age_hour" if hours == 1 else "tinbao.age_hours", n=hours)
    days = minutes // (24 * 60)
    return ctx.t("tinbao.age_day" if days == 1 else "tinbao.age_days", n=days)


def _filters(ctx: Context, counts: dict[str, int], wanted: str) -> list[list[Choice]]:
    """A button per open state with its count (the shown one marked), all, and the menu."""

    def mark(code: str) -> str:
        """A dot before the filter on screen, as the tally marks its period."""
        return "• " if code == wanted else ""

    choices = [
        Choice(
            mark(state)
            + ctx.t("tinbao.filter", state=ctx.t(STATE_KEYS[state]), count=counts.get(state, 0)),
            f"{PREFIX}{state}:0",
        )
        for state in SHOWN
    ]
    everything = ctx.t("tinbao.filter_all", count=sum(counts.values()))
    choices.append(Choice(mark(ALL) + everything, f"{PREFIX}{ALL}:0"))
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    return rows
