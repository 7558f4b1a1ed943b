"""Field kinds answered by picking from a list: one option, or several (options or team-mates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.model import Choice
from bot.core.parsing import choice_candidates, split_list
from bot.reports.kinds.base import (
    DONE,
    TOGGLE,
    Asking,
    FieldKind,
    Outcome,
    Question,
    Reader,
    register,
    scoped,
)
from storage import members

if TYPE_CHECKING:
    from bot.reports.fielddef import FieldDef


ALONE = "none"
WHOLE_TEAM = "all"
QUOTE = 40  # characters of a typed item quoted back


async def roster_choices(ctx: Asking) -> list[tuple[int, str]]:
    """The caller's team-mates (everyone active in the team but the caller)."""
    assert ctx.member is not None
    rows = await members.team_roster(ctx.tx, ctx.member.unit_id)
    return [(int(r["id"]), str(r["full_name"])) for r in rows if r["id"] != ctx.member.id]


@register
class ChoiceKind(FieldKind):
    """One option from the form's list, one button each."""

    name = "choice"

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """One button per option, labelled in the asker's language."""
        return Question(
            rows=[[Choice(o.label.get(ctx.locale), scoped(fdef, o.value))] for o in fdef.options]
        )

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """Only a listed option counts (typed labels were turned into buttons upstream)."""
        if value in {o.value for o in fdef.options}:
            return Outcome("value", value)
        return Outcome("error", message=ctx.t("error.choice"))

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """The option's label in the reader's language."""
        return fdef.option_label(str(value), reader.locale)


@register
class MultiChoiceKind(FieldKind):
    """Several options (or team-mates), toggled one by one and confirmed with Done.

    Typed: one number or name toggles it (the engine reads it as its button); a list
    ("1,2", "1 2", "1 và 2", "An, Bình") is the whole answer and stores exactly those.
    """

    name = "multi_choice"

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """A tick box per option, showing the picks so far, then Done."""
        options = await _options(ctx, fdef)
        picked = {str(p) for p in pending}
        result = Question(rows=_shortcuts(ctx, fdef, options))
        for value, label in options:
            mark = "☑️" if value in picked else "▫️"
            result.rows.append([Choice(f"{mark} {label}", scoped(fdef, TOGGLE + value))])
        if not options:
            result.notes.append(ctx.t("wizard.no_teammates"))
        result.rows.append([Choice(ctx.t("nav.done"), DONE)])
        return result

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """A toggle keeps the question open; Done stores the picks still on offer; a typed
        list stores exactly its picks; a name matching several people names them."""
        options = dict(await _options(ctx, fdef))
        if value in {ALONE, WHOLE_TEAM} and fdef.choices_from == "team":
            return Outcome("value", [] if value == ALONE else [int(p[1:]) for p in options])
        if value is not None and value.startswith(TOGGLE) and value[len(TOGGLE) :] in options:
            return Outcome("pending", _toggled(pending, value[len(TOGGLE) :]))
        if value is None and ctx.text:
            return _typed(ctx, fdef, options, pending)
        if value == DONE:
            chosen = [p for p in (str(x) for x in pending) if p in options]
            if fdef.required and not chosen:
                return Outcome("error", message=ctx.t("error.multi_empty"))
            if fdef.choices_from == "team":
                return Outcome("value", [int(p[1:]) for p in chosen])
            return Outcome("value", chosen)
        return Outcome("error", message=ctx.t("error.multi"))

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """Team-mates by name (#id if gone), options by label in the reader's language."""
        if fdef.choices_from == "team":
            names = []
            for member_id in value:
                row = await members.get(reader.tx, int(member_id))
                names.append(row.full_name if row else f"#{member_id}")
            return ", ".join(names)
        return ", ".join(fdef.option_label(str(v), reader.locale) for v in value)

    def pending_from(self, previous: Any) -> list[Any]:
        """Earlier picks, team-mates written as their button values (m<id>)."""
        if isinstance(previous, list):
            return [f"m{v}" if isinstance(v, int) else v for v in previous]
        return []


def _shortcuts(ctx: Asking, fdef: FieldDef, options: list[tuple[str, str]]) -> list[list[Choice]]:
    """One tap for the usual team-mate answers: alone, or the whole team (named, short)."""
    if fdef.choices_from != "team" or not options:
        return []
    names = [label.split()[-1] for _, label in options]
    who = ", ".join(names) if len(names) <= 3 else ctx.t("wizard.people", count=len(names))
    row = [Choice(ctx.t("wizard.whole_team", names=who), scoped(fdef, WHOLE_TEAM))]
    if not fdef.required:
        row.insert(0, Choice(ctx.t("wizard.alone"), scoped(fdef, ALONE)))
    return [row]


async def _options(ctx: Asking, fdef: FieldDef) -> list[tuple[str, str]]:
    if fdef.choices_from == "team":
        return [(f"m{mid}", name) for mid, name in await roster_choices(ctx)]
    return [(o.value, o.label.get(ctx.locale)) for o in fdef.options]


def _typed(ctx: Asking, fdef: FieldDef, options: dict[str, str], pending: list[Any]) -> Outcome:
    """Read typed text against the choices as the member saw them (their numbers included):
    a list is the whole answer, a single unresolved item says what went wrong.

    Numbers are the shown ones, shortcuts included: "Cả tổ" in a list means the whole team
    (whatever else is listed), "Một mình" beside anyone else is refused; "Xong" is implied.
    """
    shown = [(value, _bare(fdef, value, label)) for value, label in ctx.shown_choices]
    items = split_list(ctx.text)
    picks: list[str] = []
    shortcuts: set[str] = set()
    for item in items:
        read = _item(ctx, fdef, options, shown, item, alone=len(items) == 1)
        if isinstance(read, Outcome):
            return read
        if read in (ALONE, WHOLE_TEAM):
            shortcuts.add(read)
        elif read and read not in picks:
            picks.append(read)
    if ALONE in shortcuts:
        if picks or WHOLE_TEAM in shortcuts:
            return Outcome("error", message=ctx.t("typed.alone_and_others"))
        return Outcome("value", [])
    if WHOLE_TEAM in shortcuts:
        return Outcome("value", [int(p[1:]) for p in options])
    if not picks:
        return Outcome("error", message=ctx.t("error.multi"))
    if len(items) == 1:  # one item ("3.", a name part): toggles, as its button would
        return Outcome("pending", _toggled(pending, picks[0]))
    if fdef.choices_from == "team":
        return Outcome("value", [int(p[1:]) for p in picks])
    return Outcome("value", picks)


def _item(
    ctx: Asking,
    fdef: FieldDef,
    options: dict[str, str],
    shown: list[tuple[str, str]],
    item: str,
    *,
    alone: bool,
) -> str | Outcome:
    """One typed item: an option, a shortcut (ALONE/WHOLE_TEAM), "" for Done within a list,
    or the error naming it."""
    found = choice_candidates(item, shown, numbers=ctx.numbered)
    own = [rest[len(TOGGLE) :] for rest in (_own(fdef, v) for v in found) if rest]
    own = [p for p in own if p in options]
    quoted = item if len(item) <= QUOTE else item[: QUOTE - 1] + "…"
    if len(own) > 1:
        names = ", ".join(options[p] for p in own)
        return Outcome("error", message=ctx.t("typed.multi_ambiguous", item=quoted, names=names))
    if len(found) == 1 and (shortcut := _shortcut(fdef, found[0])):
        return shortcut
    if found == [DONE] and not alone:
        return ""
    if not own or len(found) != 1:
        key = "typed.multi_unknown_numbered" if ctx.numbered else "typed.multi_unknown"
        return Outcome("error", message=ctx.t(key, item=quoted))
    return own[0]


def _bare(fdef: FieldDef, value: str, label: str) -> str:
    """A shortcut's label without the names it lists, so a typed name picks the person only."""
    return label.split(" (", 1)[0] if _shortcut(fdef, value) else label


def _shortcut(fdef: FieldDef, value: str) -> str | None:
    """ALONE or WHOLE_TEAM when a shown choice is one of this question's team shortcuts."""
    if fdef.choices_from != "team":
        return None
    key, sep, rest = value.partition("=")
    return rest if sep and key == fdef.key and rest in {ALONE, WHOLE_TEAM} else None


def _own(fdef: FieldDef, value: str) -> str | None:
    """The toggle part (t:...) of a shown choice of this question, else None."""
    key, sep, rest = value.partition("=")
    return rest if sep and key == fdef.key and rest.startswith(TOGGLE) else None


def _toggled(pending: list[Any], picked: str) -> list[str]:
    current = [str(p) for p in pending]
    if picked in current:
        current.remove(picked)
    else:
        current.append(picked)
    return current
