"""Field kinds with answers of their own sort: yes/no, a place (pin or typed) and photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.model import Choice
from bot.core.parsing import ParseError, parse_yes_no
from bot.reports.kinds.base import (
    DONE,
    Asking,
    FieldKind,
    Outcome,
    Question,
    Reader,
    register,
    scoped,
)

if TYPE_CHECKING:
    from bot.reports.fielddef import FieldDef


@register
class YesNoKind(FieldKind):
    """Yes or no: two buttons, or typed the way officers say it ("có", "ko", "chưa")."""

    name = "yes_no"

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """Yes and no side by side."""
        return Question(
            rows=[
                [
                    Choice(ctx.t("answer.yes"), scoped(fdef, "yes")),
                    Choice(ctx.t("answer.no"), scoped(fdef, "no")),
                ]
            ]
        )

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A button, or typed words read by parse_yes_no (digits are refused there)."""
        if value in {"yes", "no"}:
            return Outcome("value", value == "yes")
        try:
            return Outcome("value", parse_yes_no(ctx.text))
        except ParseError:
            return Outcome("error", message=ctx.t("error.yes_no"))

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """Yes or No in the reader's language."""
        return reader.t("answer.yes") if value else reader.t("answer.no")


@register
class LocationKind(FieldKind):
    """A place: a location pin where the messenger has them, or a typed address."""

    name = "location"
    free_input = True

    def hint(self, ctx: Asking, fdef: FieldDef) -> str:
        """Where pins cannot be sent (Zalo), say to type the place instead."""
        if not ctx.can_send_location:
            return ctx.t("hint.location_typed")
        return ctx.t("hint.location", max_length=fdef.max_length)

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A pin is stored as lat/lon, typed text (not a command) as text."""
        text = ctx.text
        if ctx.inbound.location is not None:
            loc = ctx.inbound.location
            return Outcome("value", {"lat": loc.latitude, "lon": loc.longitude})
        if text and not text.startswith("/"):
            if len(text) > fdef.max_length:
                return Outcome("error", message=ctx.t("error.too_long", n=fdef.max_length))
            return Outcome("value", {"text": text})
        key = "error.location" if ctx.can_send_location else "error.location_typed"
        return Outcome("error", message=ctx.t(key))

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """The typed address as typed, a pin as its coordinates."""
        if "text" in value:
            return str(value["text"])
        return f"📍 {value['lat']:.5f}, {value['lon']:.5f}"


@register
class PhotoKind(FieldKind):
    """Photos sent one by one, up to max_photos, confirmed with Done."""

    name = "photo"

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """Done, the count so far, and no skip once a photo is in (Done keeps them)."""
        notes = [ctx.t("wizard.photos_count", count=len(pending))] if pending else []
        return Question(rows=[[Choice(ctx.t("nav.done"), DONE)]], notes=notes, can_skip=not pending)

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A photo keeps the question open; Done stores them (refused if required and none)."""
        photo = ctx.inbound.photo
        if photo:
            if len(pending) >= fdef.max_photos:
                return Outcome("error", message=ctx.t("error.too_many_photos", n=fdef.max_photos))
            return Outcome("pending", [*pending, photo])
        if value == DONE:
            if not pending and fdef.required:
                return Outcome("error", message=ctx.t("error.photo_required"))
            return Outcome("value", list(pending))
        return Outcome("error", message=ctx.t("error.photo"))

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """How many photos, in the reader's language."""
        return reader.t("answer.photos", count=len(value))

    def pending_from(self, previous: Any) -> list[Any]:
        """The photos already sent, so going back does not lose them."""
        return list(previous) if isinstance(previous, list) else []
