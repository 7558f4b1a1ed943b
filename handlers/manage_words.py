"""What /thanhvien says of a change: the confirmation before it, the result after it."""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.core.roles import role_label
from bot.people.membership import Change
from handlers.manage_pick import ManageDialog
from storage.members import Member
from storage.units import Unit


def confirmation(ctx: Context, dialog: ManageDialog, target: Member, dest: Unit | None) -> str:
    """Exactly what confirming will do, to whom, from which day."""
    assert dialog.on is not None
    day = dates.day(dialog.on)
    name, unit = target.full_name, target.unit_name
    if dialog.action == "move":
        to = dest.name if dest is not None else "?"
        return ctx.t("manage.confirm_move", name=name, unit=unit, to=to, day=day)
    if dialog.action == "role":
        role = role_label(dialog.role or target.role, ctx.locale)
        old = role_label(target.role, ctx.locale)
        return ctx.t("manage.confirm_role", name=name, unit=unit, role=role, old=old, day=day)
    if dialog.action == "leave":
        return ctx.t("manage.confirm_leave", name=name, unit=unit, day=day)
    role = role_label(target.role, ctx.locale)
    return ctx.t("manage.confirm_return", name=name, unit=unit, role=role, day=day)


def done(ctx: Context, change: Change) -> str:
    """The change made, in the caller's words."""
    name, day = change.member.full_name, dates.day(change.on)
    if change.action == "move":
        return ctx.t("manage.done_move", name=name, unit=change.unit_after, day=day)
    if change.action == "role":
        role = role_label(change.role_after, ctx.locale)
        return ctx.t("manage.done_role", name=name, role=role, day=day)
    if change.action == "leave":
        return ctx.t("manage.done_leave", name=name, day=day)
    return ctx.t("manage.done_return", name=name, unit=change.unit_after, day=day)
