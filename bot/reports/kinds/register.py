"""The person a reintegration visit is about, picked from the team's register by code.

Members see codes only (never names). A code typed that is not on the register is kept as
typed, never thrown away: the visit counts once that code is added, and the team's leaders
(or the commune police) are told when the report is filed (`bot.reports.register_notice`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.model import Choice
from bot.core.parsing import fold
from bot.people.supervised import clean_code
from bot.reports.kinds.base import Asking, FieldKind, Outcome, Question, register, scoped
from storage import supervised

if TYPE_CHECKING:
    from bot.reports.fielddef import FieldDef


async def team_codes(ctx: Asking) -> list[str]:
    """The codes on the answering member's team register, still under management."""
    assert ctx.member is not None
    return await supervised.codes(ctx.tx, ctx.member.unit_id)


@register
class RegisterPersonKind(FieldKind):
    """A code from the team's register (one button each), or a code typed; a text longer
    than the field's `max_length` is refused (a full name typed, most likely), not cut."""

    name = "register_person"
    free_input = True

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """The register's codes, three a row; a team without a register is told to type."""
        picks = [Choice(code, scoped(fdef, code)) for code in await team_codes(ctx)]
        result = Question(rows=[picks[i : i + 3] for i in range(0, len(picks), 3)])
        result.notes.append(ctx.t("supervised.pick_hint" if picks else "supervised.no_register"))
        return result

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A code button; a typed code matched without case or diacritics, else kept as
        typed (squeezed, in capitals) when it fits the field."""
        codes = await team_codes(ctx)
        if value is not None:
            if value in codes:
                return Outcome("value", value)
            return Outcome("error", message=ctx.t("error.choice"))
        if not ctx.text:
            return Outcome("error", message=ctx.t("error.need_text"))
        typed = clean_code(ctx.text)
        for code in codes:
            if fold(code) == fold(typed):
                return Outcome("value", code)
        if len(typed) > fdef.max_length:  # a name typed, most likely: never kept
            return Outcome(
                "error",
                message=ctx.t("supervised.code_too_long", n=len(typed), max=fdef.max_length),
            )
        return Outcome("value", typed)
