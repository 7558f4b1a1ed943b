"""/tinbao: the urgent reports in an officer's area still waiting for the police."""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import ALERT_ROLES, OVERSIGHT_ROLES
from bot.reports.alert_message import ACK_PREFIX
from handlers import menu
from handlers.commands import HOME, handles
from storage import reports


@handles("tinbao")
async def pending(ctx: Context) -> None:
    """Urgent reports in the caller's area still waiting for police, with acknowledge buttons."""
    assert ctx.member is not None
    me = ctx.member
    if me.role not in OVERSIGHT_ROLES:
        await menu.show(ctx, ctx.t("ack.not_allowed"))
        return
    rows = await reports.unacknowledged_in(ctx.tx, me.unit_path, 10)
    if not rows:
        await menu.show(ctx, ctx.t("ack.none_pending"))
        return
    can_ack = me.role in ALERT_ROLES
    lines = [ctx.t("ack.pending_title", count=len(rows)), ""]
    buttons = []
    for row in rows:
        kind = row.kind
        title = ctx.forms.get(kind).title(ctx.locale) if ctx.forms.has(kind) else kind
        lines.append(
            f"{row.number} · {title} · {row.unit_name} · {dates.stored_stamp(row.created_at)}"
        )
        if can_ack:
            buttons.append(
                [Choice(ctx.t("ack.button_for", number=row.number), ACK_PREFIX + str(row.id))]
            )
    buttons.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply("\n".join(lines), buttons)
