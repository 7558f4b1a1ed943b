"""What every field kind can do, and the registry that finds a kind by its type name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from bot.core.model import Choice
from bot.reports.fielddef import REGISTERED

if TYPE_CHECKING:
    from datetime import datetime

    from bot.core.config import Config
    from bot.core.i18n import Texts
    from bot.core.model import Inbound
    from bot.reports.fielddef import FieldDef
    from storage.db import Tx
    from storage.members import Member

DONE = "nav:done"
TOGGLE = "t:"


class Reader(Protocol):
    """Whoever an answer is shown to: their language and where names are looked up.

    A dialog's Context is one; an alert to an officer uses a Viewer in the officer's language.
    """

    @property
    def locale(self) -> str:
        """The reader's language."""
        ...

    @property
    def tx(self) -> Tx:
        """The transaction to look team-mates' names up in."""
        ...

    def t(self, key: str, **params: object) -> str:
        """A text in the reader's language."""
        ...


class _Configured(Protocol):
    @property
    def config(self) -> Config:
        """The running configuration (the reports' age limit)."""
        ...


class Asking(Reader, Protocol):
    """The dialog a field is asked in: what the member sent, who they are, and when.

    The engine's Context is one; kinds name this instead, so they sit below the engine and
    a form can be filled by anything that offers these.
    """

    @property
    def inbound(self) -> Inbound:
        """What the member sent: text, button, photo or location."""
        ...

    @property
    def text(self) -> str:
        """The typed text, trimmed (empty for buttons, photos and pins)."""
        ...

    @property
    def now(self) -> datetime:
        """The injected clock's time."""
        ...

    @property
    def member(self) -> Member | None:
        """Who answers (their team-mates are the choices of a roster question)."""
        ...

    @property
    def can_send_location(self) -> bool:
        """Whether the messenger can send a location pin."""
        ...

    @property
    def numbered(self) -> bool:
        """Whether the messenger shows choices as numbered lines (typed numbers pick them)."""
        ...

    @property
    def shown_choices(self) -> list[tuple[str, str]]:
        """The (value, label) choices last shown, in their displayed order."""
        ...

    @property
    def services(self) -> _Configured:
        """Where the configuration is read."""
        ...


@dataclass(frozen=True)
class Viewer:
    """A Reader other than the person in the dialog, e.g. the officer an alert goes to."""

    texts: Texts
    locale: str
    tx: Tx

    def t(self, key: str, **params: object) -> str:
        """A text in this reader's language, not the sender's."""
        return self.texts.t(self.locale, key, **params)


@dataclass
class Outcome:
    """What an answer did: stored a value, kept the question open, or was refused."""

    kind: str  # "value", "pending" (multi-choice toggle, photo added) or "error"
    value: Any = None
    message: str = ""


@dataclass
class Question:
    """What a kind adds to a question: buttons, lines after the prompt, whether skip shows."""

    rows: list[list[Choice]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    can_skip: bool = True


def scoped(fdef: FieldDef, value: str) -> str:
    """A button value tied to its question, so a stale button cannot answer another one."""
    return f"{fdef.key}={value}"


class FieldKind:
    """One field type: how it is asked, how an answer is read, how a stored value is shown.

    Subclasses set `name` and register with @register; adding a type is one such class.
    """

    name: ClassVar[str] = ""
    free_input: ClassVar[bool] = False  # typed answers are expected, not only buttons
    numeric_input: ClassVar[bool] = False  # typed answers can be bare digits (not button numbers)
    takes_voice: ClassVar[bool] = False  # a voice note answers it (free text)

    def hint(self, ctx: Asking, fdef: FieldDef) -> str:
        """The line under the question saying what to type; none for button-only kinds."""
        return ""

    async def question(self, ctx: Asking, fdef: FieldDef, pending: list[Any]) -> Question:
        """The buttons (and extra lines) of the question; most kinds only need navigation."""
        return Question()

    async def parse(
        self, ctx: Asking, fdef: FieldDef, value: str | None, pending: list[Any]
    ) -> Outcome:
        """Read an answer: `value` is this question's button value (None if typed or stale)."""
        raise NotImplementedError

    async def display(self, reader: Reader, fdef: FieldDef, value: Any) -> str:
        """Show a stored (non-empty) answer the way the reader would say it."""
        return str(value)

    def pending_from(self, previous: Any) -> list[Any]:
        """When the field is asked again (back, edit), the picks to start from."""
        return []


KINDS: dict[str, FieldKind] = REGISTERED  # the same dict the forms check type names against
K = TypeVar("K", bound=type[FieldKind])


def register(cls: K) -> K:
    """Make a kind usable in forms files under its type name (one instance serves all)."""
    assert cls.name and cls.name not in KINDS, cls.name
    KINDS[cls.name] = cls()
    return cls


def kind_of(fdef: FieldDef) -> FieldKind:
    """The kind that asks, reads and shows this field."""
    return KINDS[fdef.type]
