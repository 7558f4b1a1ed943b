"""One question of a report form as data: its type, texts, bounds and condition.

Kept apart from the forms (categories, loading) so the field kinds that ask and read these
questions can name them without depending on how forms are loaded; the kinds add their
names to `REGISTERED` as they are defined, and a field's type must be one of them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# The key of the answer a report is dated by: every form names its date field so (saving
# files the report under it; the shift question and "same as last time" may move it).
DATE = "date"

# The registered field kinds by type name, in the order they were defined: filled by
# bot.reports.kinds (which bot.reports.forms imports before any form is validated) and read
# there as `KINDS`; a field's type must be one of its names.
REGISTERED: dict[str, Any] = {}


def _registered(value: object) -> str:
    """Only a registered field kind's name is a field type (said as pydantic says literals)."""
    if isinstance(value, str) and value in REGISTERED:
        return value
    names = [repr(name) for name in REGISTERED]
    expected = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


FieldType = Annotated[str, BeforeValidator(_registered)]


class LocalText(BaseModel):
    """A text in Vietnamese (required) and English (falls back to Vietnamese)."""

    model_config = ConfigDict(extra="forbid")
    vi: str = Field(min_length=1)
    en: str | None = None

    def get(self, locale: str) -> str:
        """Pick the user's language, falling back to Vietnamese."""
        return self.en if locale == "en" and self.en else self.vi


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=24, pattern=r"^[a-z0-9_]+$")
    label: LocalText


class Condition(BaseModel):
    """Ask a field only when an earlier answer equals one of the given values (`equals`),
    is a number above `above` (a count: "asked only when something was checked"), or was
    given at all (`filled`: an optional answer such as a model's name).

    An answer not known yet counts as matching for `equals` (the field stays in the list
    until it is); for `above` and `filled` it does not (nothing checked, nothing named), so
    a count's follow-up question never adds a step to "Bước 1/N" before it applies.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    equals: list[str | bool | int] = []
    above: int | None = None
    filled: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = bool(self.equals) + (self.above is not None) + self.filled
        if tests != 1:
            raise ValueError(
                f"the condition on {self.field!r} needs exactly one of: equals = [...],"
                " above = N, filled = true"
            )
        return self

    def holds(self, answers: dict[str, Any]) -> bool:
        """Whether the field this condition guards is asked, given the answers so far."""
        value = answers.get(self.field)
        if self.filled:
            return value not in (None, "", [])
        if self.above is not None:
            return isinstance(value, int) and not isinstance(value, bool) and value > self.above
        return self.field not in answers or value in self.equals


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Keys travel in button data (Telegram allows 64 bytes), hence the length cap.
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)
    type: FieldType
    label: LocalText
    prompt: LocalText | None = None
    hint: LocalText | None = None
    required: bool = True
    options: list[Option] = []
    choices_from: Literal["team"] | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = Field(default=500, ge=1, le=4000)
    max_photos: int = Field(default=5, ge=1, le=20)
    ask_if: Condition | None = None
    # Not asked in sequence: preset ("today" for a date, true/false for yes_no) and changed
    # with one tap on the summary.
    default: str | bool | None = None
    # Optional fields only: not asked in sequence, offered as "➕ Thêm …" on the summary.
    on_summary: bool = False
    # Integer fields: counts offered as buttons (typed numbers still work).
    buttons: list[int] = Field(default=[], max_length=8)
    # Time fields: "shifts" offers the team's usual shifts; `pair` names the end-time field
    # one shift button fills together with this one.
    suggest: Literal["shifts"] | None = None
    pair: str | None = None
    # Feeds a target (a fire's "arrived in time"): once an officer confirmed the report, the
    # member can no longer change it (only urgent categories' reports are confirmed).
    locked_when_confirmed: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        self._summary_attributes_ok()
        if self.type == "choice" and not self.options:
            raise ValueError(f"field {self.key!r}: a choice field needs options")
        if self.type == "multi_choice" and not self.options and not self.choices_from:
            raise ValueError(f"field {self.key!r}: a multi_choice needs options or choices_from")
        if self.choices_from and self.type != "multi_choice":
            raise ValueError(f"field {self.key!r}: choices_from only works with multi_choice")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"field {self.key!r}: minimum is above maximum")
        values = [o.value for o in self.options]
        if len(values) != len(set(values)):
            raise ValueError(f"field {self.key!r}: option values must be unique")
        return self

    def _summary_attributes_ok(self) -> None:
        """The wizard-shortcut attributes only where they mean something."""
        if self.default is not None:
            if self.type == "date" and self.default != "today":
                raise ValueError(f'field {self.key!r}: a date\'s default can only be "today"')
            if self.type == "yes_no" and not isinstance(self.default, bool):
                raise ValueError(f"field {self.key!r}: a yes_no default is true or false")
            if self.type not in {"date", "yes_no"}:
                raise ValueError(f"field {self.key!r}: only date and yes_no fields take a default")
        if self.on_summary and self.required:
            raise ValueError(f"field {self.key!r}: on_summary needs required = false")
        if self.on_summary and self.default is not None:
            raise ValueError(
                f"field {self.key!r}: a field has a default or is on_summary, not both"
            )
        if self.buttons and self.type != "integer":
            raise ValueError(f"field {self.key!r}: buttons only work with integer fields")
        for number in self.buttons:
            low = self.minimum if self.minimum is not None else number
            high = self.maximum if self.maximum is not None else number
            if not low <= number <= high:
                raise ValueError(f"field {self.key!r}: button {number} is outside its bounds")
        if (self.suggest or self.pair) and self.type != "time":
            raise ValueError(f"field {self.key!r}: suggest and pair only work with time fields")
        if bool(self.pair) != bool(self.suggest):
            raise ValueError(
                f'field {self.key!r}: suggest = "shifts" and pair (the end-time field) go together'
            )

    @property
    def in_sequence(self) -> bool:
        """Asked one after another in the wizard (defaulted and summary fields are not)."""
        return self.default is None and not self.on_summary

    def question(self, locale: str) -> str:
        """The question asked in the wizard (the label when no prompt is set)."""
        return (self.prompt or self.label).get(locale)

    def option_label(self, value: str, locale: str) -> str:
        """The label of one option value, or the value itself if the form changed since."""
        for option in self.options:
            if option.value == value:
                return option.label.get(locale)
        return value
