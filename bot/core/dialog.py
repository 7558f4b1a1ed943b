"""A chat's typed dialog state: the open flow, the last question's choices, a parked flow.

On text-only channels a message pushed after the dialog's question (a reminder, a notice, an
officer's alert) is remembered beside it, in `aside`, so a typed number answers the newest
message and typed text is never taken silently as an answer to a question scrolled away.

Each flow (the report wizard, an edit, leave, ...) declares a pydantic model subclassing
`FlowState` with its name in `flow`; defining the class registers it, so the engine loads
and saves any flow without knowing their names. Saved as one JSON object per chat: the
flow's fields at the top level beside "flow" (its name), "question" and "parked".
States saved before the models existed (the last question under "_choices", "_free",
"_numeric") still load; a state that does not validate resets the chat's dialog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from storage import conversations
from storage.db import Tx

log = logging.getLogger(__name__)

_RESERVED = frozenset(
    {"flow", "question", "parked", "aside", "typed", "_choices", "_free", "_numeric"}
)
_FLOWS: dict[str, type[FlowState]] = {}

F = TypeVar("F", bound="FlowState")


class FlowState(BaseModel):
    """The base of every flow's state; a subclass naming its `flow` registers itself."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    flow: ClassVar[str] = ""
    # Whether another dialog opened over this one keeps it aside and gives it back after.
    parkable: ClassVar[bool] = False

    # The member was told how to come back to this flow once it was set aside (told once).
    told_back: bool = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "flow" not in cls.__dict__:
            return  # a shared base of several flows
        known = _FLOWS.get(cls.flow)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"two dialog flows are named {cls.flow!r}")
        clash = _RESERVED & set(cls.model_fields)
        if clash:
            raise ValueError(f"flow {cls.flow!r} uses reserved keys {sorted(clash)}")
        _FLOWS[cls.flow] = cls

    def kept(self) -> set[str]:
        """Fields saved even at their default value (readers of the saved state expect them)."""
        return set()

    def dump(self) -> dict[str, Any]:
        """The saved form: the name and the fields that differ from their defaults (or are
        `kept`), checked to load back (a handler may have added something that would not)."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        missing = self.kept() - set(data)
        if missing:
            data.update(self.model_dump(mode="json", include=missing))
        type(self).model_validate(data)
        return {"flow": self.flow, **data}


class Question(BaseModel):
    """The last question's choices, so typed numbers and labels map to them next time."""

    model_config = ConfigDict(extra="ignore")

    choices: list[tuple[str, str]] = []  # (value, label)
    free: bool = False  # typed answers allowed: only a whole label picks a choice
    numeric: bool = False  # typed numbers are answers, not choice numbers
    text: str = ""  # the open dialog's question itself, to show it again (never for `aside`)


@dataclass
class Dialog:
    """Where a chat is: the open flow (None when idle), its question, a parked flow.

    `aside` holds the choices of a message the member saw after the last reply (one pushed
    on a text-only channel, or the "is this your answer?" check), which typed numbers answer
    first; `typed` is the text that check is about. The next reply clears both.
    """

    flow: FlowState | None = None
    question: Question | None = None
    parked: FlowState | None = None
    aside: Question | None = None
    typed: str | None = None

    @property
    def name(self) -> str | None:
        """The open flow's name, for routing and logs."""
        return self.flow.flow if self.flow is not None else None

    def get(self, cls: type[F]) -> F | None:
        """The open flow when it is a `cls` dialog."""
        return self.flow if isinstance(self.flow, cls) else None

    def require(self, cls: type[F]) -> F:
        """The open flow, which the router guarantees is a `cls` dialog."""
        if not isinstance(self.flow, cls):
            raise TypeError(f"expected a {cls.flow!r} dialog, found {self.name!r}")
        return self.flow

    def open(self, flow: F) -> F:
        """Make `flow` the open dialog (a parked one stays parked)."""
        self.flow = flow
        return flow

    def ensure(self, cls: type[F]) -> F:
        """The open `cls` dialog, opened fresh when another (or none) is open."""
        current = self.get(cls)
        return current if current is not None else self.open(cls())

    def clear(self) -> None:
        """Forget everything, a parked flow included."""
        self.flow = self.question = self.parked = self.aside = None
        self.typed = None

    def park(self) -> None:
        """Set a parkable open flow aside (keeping one parked already otherwise)."""
        if self.flow is not None and self.flow.parkable:
            self.parked = self.flow
        self.flow = self.question = None

    def resume(self) -> None:
        """Close the open flow; a parked one becomes the open flow again."""
        self.flow, self.parked, self.question = self.parked, None, None

    def dump(self) -> dict[str, Any]:
        """The JSON object saved for the chat (empty when idle)."""
        data = self.flow.dump() if self.flow is not None else {}
        if self.parked is not None:
            data["parked"] = self.parked.dump()
        if self.question is not None:
            data["question"] = self.question.model_dump(mode="json")
            if not self.question.text:
                data["question"].pop("text")  # saved as before the text was kept
        if self.aside is not None:
            data["aside"] = self.aside.model_dump(mode="json", exclude_defaults=True)
        if self.typed is not None:
            data["typed"] = self.typed
        return data


def _flow(raw: object) -> FlowState | None:
    """A saved flow (its name beside its fields), validated by its model."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TypeError("a saved flow is not an object")
    name = raw.get("flow")
    if name is None:
        return None
    model = _FLOWS.get(str(name))
    if model is None:
        raise LookupError(f"no dialog flow is named {name!r}")
    return model.model_validate({k: v for k, v in raw.items() if k not in _RESERVED})


def _question(raw: dict[str, Any]) -> Question | None:
    """The saved question, or the one saved before typed state under "_choices"."""
    if "question" in raw:
        return Question.model_validate(raw["question"])
    if "_choices" in raw:
        return Question(
            choices=raw["_choices"], free=bool(raw.get("_free")), numeric=bool(raw.get("_numeric"))
        )
    return None


def load(raw: dict[str, Any]) -> Dialog:
    """A chat's saved state, checked; one that does not validate (corrupt, or a flow no
    dialog declares any more) resets the chat's dialog rather than failing every update."""
    try:
        aside = raw.get("aside")
        typed = raw.get("typed")
        return Dialog(
            _flow(raw),
            _question(raw),
            _flow(raw.get("parked")),
            Question.model_validate(aside) if aside is not None else None,
            str(typed) if typed is not None else None,
        )
    except (ValidationError, LookupError, TypeError, ValueError) as err:
        # The error's text would quote the saved answers: log only the flow and the kind.
        log.warning(
            "dialog state reset", extra={"flow": raw.get("flow"), "error": type(err).__name__}
        )
        return Dialog()


async def remember_pushed_choices(
    tx: Tx, channel: str, chat_id: str, choices: list[list[str]], now_iso: str
) -> None:
    """On text-only channels a pushed message is the newest thing the member saw: its
    numbered choices (if any) are what a typed number answers next, before the open
    dialog's question, which is kept for when the member comes back to it.

    A message without choices keeps the newest choices shown, and is recorded only over an
    open dialog (typed text then is checked before it counts as that dialog's answer). Only
    `aside` is replaced, on the saved object as it is, so a flow this process has not
    registered (or one saved by an older version) is kept untouched.
    """
    raw = await conversations.load(tx, channel, chat_id)
    if not choices and (raw.get("aside") is not None or not raw.get("flow")):
        return
    pairs = [(v, label) for v, label in choices]
    raw["aside"] = Question(choices=pairs).model_dump(mode="json", exclude_defaults=True)
    raw.pop("typed", None)
    await conversations.save(tx, channel, chat_id, raw, now_iso)
