"""Field kinds answered by typing: free text, a count, a date and a clock time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.core import dates
from bot.core.model import Choice
from bot.core.parsing import ParseError, parse_date, parse_int, parse_time
from bot.reports.kinds.base import Asking, FieldKind, Outcome, Question, Reader, register, scoped

if TYPE_CHECKING:
    from bot.reports.fielddef import FieldDef

DATE_BUTTONS = {"d:0": 0, "d:1": 1}  # today, yesterday
COUNT = "n:"  # a count button: n:0
SEND_CUT = "cut:send"  # store the text cut to the limit
RETYPE = "cut:retype"  # drop it and ask again
TAIL = 40  # characters of the cut-off part quoted back


class TypedKind(FieldKind):
    """A kind read from typed text; subclasses turn the text into the stored value."""

    free_input = True
    numeric_input = True

    def hint(self, ctx: Asking, fdef: FieldDef) -> str:
        """The kind's own hint text (hint.<type>) with the length limit."""
        return ctx.t(f"hint.{self.name}", max_length=fdef.max_length)

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """Empty input asks for text; a parse error says precisely what is expected."""
        if not ctx.text:
            return Outcome("error", message=ctx.t("error.need_text"))
        try:
            return Outcome("value", self.read(ctx, fdef, ctx.text))
        except ParseError as err:
            return Outcome("error", message=_parse_message(ctx, fdef, err))

    def read(self, ctx: Asking, fdef: FieldDef, text: str) -> Any:
        """The stored value of non-empty typed text; raises ParseError when it is not one."""
        raise NotImplementedError


@register
class TextKind(TypedKind):
    """Free text up to the field's max_length; a longer text is kept cut, not thrown away.

    Over the limit, the first max_length characters wait in `pending` (nothing is stored)
    and the question offers to send them cut or to type again.
    """

    name = "text"
    numeric_input = False  # a number typed here is text, but buttons keep their numbers
    takes_voice = True

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """Typed text as typed; a voice note as its length (it is played, not shown)."""
        if isinstance(value, dict) and "voice" in value:
            return reader.t("voice.answer", seconds=value.get("seconds", 0))
        return str(value)

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """With a cut text waiting: send it cut, or type again."""
        if not pending:
            return Question()
        return Question(
            rows=[
                [Choice(ctx.t("typed.send_cut"), scoped(fdef, SEND_CUT))],
                [Choice(ctx.t("typed.retype"), scoped(fdef, RETYPE))],
            ]
        )

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A voice note is kept as {"voice": ref, "seconds": n} if not too long; the cut text
        on its button; retype asks again; too long a text is offered cut."""
        voice = ctx.inbound.voice
        if voice is not None:
            longest = ctx.services.config.reports.voice_max_seconds
            if voice.seconds > longest:
                return Outcome("error", message=ctx.t("voice.too_long", max=longest))
            return Outcome("value", {"voice": voice.ref, "seconds": voice.seconds})
        if value == SEND_CUT and pending:
            return Outcome("value", str(pending[0]))
        if value == RETYPE:
            return Outcome("pending", [])
        text = ctx.text
        if len(text) > fdef.max_length:
            kept = text[: fdef.max_length].rstrip()
            dropped = " ".join(text[fdef.max_length :].split())
            tail = dropped if len(dropped) <= TAIL else dropped[: TAIL - 1] + "…"
            message = ctx.t(
                "typed.cut_offer",
                length=len(text),
                n=fdef.max_length,
                cut=len(text) - fdef.max_length,
                tail=tail,
            )
            return Outcome("pending", [kept], message=message)
        return await super().parse(ctx, fdef, value, pending)

    def read(self, ctx: Asking, fdef: FieldDef, text: str) -> Any:
        """The text as typed, refused when longer than the field allows."""
        if len(text) > fdef.max_length:
            raise ParseError("too_long")
        return text


@register
class IntegerKind(TypedKind):
    """A count within the field's bounds."""

    name = "integer"

    def hint(self, ctx: Asking, fdef: FieldDef) -> str:
        """States the bounds, so nobody guesses what a count may be."""
        maximum = fdef.maximum if fdef.maximum is not None else "…"
        return ctx.t("hint.integer", minimum=fdef.minimum or 0, maximum=maximum)

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """The form's usual counts as buttons (typed numbers still answer)."""
        row = [Choice(str(n), scoped(fdef, f"{COUNT}{n}")) for n in fdef.buttons]
        return Question(rows=[row] if row else [])

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A count button, or the typed number."""
        if value is not None and value.startswith(COUNT) and value[len(COUNT) :].isdigit():
            number = int(value[len(COUNT) :])
            if number in fdef.buttons:
                return Outcome("value", number)
        return await super().parse(ctx, fdef, value, pending)

    def read(self, ctx: Asking, fdef: FieldDef, text: str) -> Any:
        """A whole number within the bounds, as parse_int reads counts."""
        return parse_int(text, fdef.minimum, fdef.maximum)


@register
class DateKind(TypedKind):
    """A report date: today/yesterday buttons, or typed; stored as ISO, shown dd/mm/yyyy."""

    name = "date"
    # Typed dates ("21/11", "hôm qua") are never bare digits, so text-only messengers number
    # the buttons like every other question: "1" is today, "2" yesterday.
    numeric_input = False

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """Today and yesterday as buttons: nearly every report is about one of them."""
        today = ctx.now.date()
        return Question(
            rows=[
                [
                    Choice(
                        ctx.t("date.today_button", day=dates.short_day(today)),
                        scoped(fdef, "d:0"),
                    ),
                    Choice(ctx.t("date.yesterday_button"), scoped(fdef, "d:1")),
                ]
            ]
        )

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A date button counts back from today; otherwise the typed date."""
        if value in DATE_BUTTONS:
            days = DATE_BUTTONS[value]
            return Outcome("value", (ctx.now.date() - timedelta(days=days)).isoformat())
        return await super().parse(ctx, fdef, value, pending)

    def read(self, ctx: Asking, fdef: FieldDef, text: str) -> Any:
        """A past date no older than the configured limit, as ISO."""
        limit = ctx.services.config.reports.max_age_days
        return parse_date(text, ctx.now.date(), limit).isoformat()

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """dd/mm/yyyy, as Vietnamese paperwork writes dates."""
        return dates.day(date.fromisoformat(str(value)))


@register
class TimeKind(TypedKind):
    """A clock time, stored HH:MM."""

    name = "time"
    # Text-only messengers number the choices like every other question: bare digits 1..N
    # (N choices shown) pick a choice, anything else ("7", "19", "19h", "7 giờ tối") is a time.
    numeric_input = False

    def read(self, ctx: Asking, fdef: FieldDef, text: str) -> Any:
        """HH:MM from the many ways a time is typed."""
        return dates.clock(parse_time(text))


def _parse_message(ctx: Asking, fdef: FieldDef, err: ParseError) -> str:
    if err.code == "too_long":
        return ctx.t("error.too_long", n=fdef.max_length)
    if err.code == "int_too_small":
        return ctx.t("error.int_too_small", minimum=fdef.minimum)
    if err.code == "int_too_large":
        return ctx.t("error.int_too_large", maximum=fdef.maximum)
    if err.code == "date_too_old":
        return ctx.t("error.date_too_old", days=ctx.services.config.reports.max_age_days)
    return ctx.t(f"error.{err.code}")
