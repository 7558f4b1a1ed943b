"""Report forms as data: the categories, their fields and rules, validated at start-up.

The default file ships with the package (bot/reports/default_forms.toml); a province can point
`[reports] forms_file` at its own copy to add a category or change a bound without code.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.reports.kinds import KINDS


def _registered(value: object) -> str:
    """Only a registered field kind's name is a field type (said as pydantic says literals)."""
    if isinstance(value, str) and value in KINDS:
        return value
    names = [repr(name) for name in KINDS]
    expected = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


FieldType = Annotated[str, BeforeValidator(_registered)]


class FormError(Exception):
    """The forms file cannot be used; the message says which category and field."""


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
    """Ask a field only when an earlier answer equals one of the given values."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    equals: list[str | bool | int] = Field(min_length=1)


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

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
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

    def question(self, locale: str) -> str:
        """The question asked in the wizard (the label when no prompt is set)."""
        return (self.prompt or self.label).get(locale)

    def option_label(self, value: str, locale: str) -> str:
        """The label of one option value, or the value itself if the form changed since."""
        for option in self.options:
            if option.value == value:
                return option.label.get(locale)
        return value


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)
    icon: str = ""
    label: LocalText
    urgent: bool = False
    fields: list[FieldDef] = []

    @model_validator(mode="after")
    def _fields_ok(self) -> Category:
        keys: list[str] = []
        for f in self.fields:
            if f.key in keys:
                raise ValueError(f"category {self.key!r}: field {f.key!r} appears twice")
            if f.ask_if and f.ask_if.field not in keys:
                raise ValueError(
                    f"category {self.key!r}: field {f.key!r} depends on {f.ask_if.field!r}, "
                    "which must be an earlier field"
                )
            keys.append(f.key)
        dates = [f for f in self.fields if f.type == "date"]
        if dates and dates[0].key != "date":
            raise ValueError(f"category {self.key!r}: the report's date field must be keyed 'date'")
        return self

    def title(self, locale: str) -> str:
        """Icon and name, as shown on buttons and receipts."""
        name = self.label.get(locale)
        return f"{self.icon} {name}".strip()

    def field(self, key: str) -> FieldDef:
        """Look a field up by key (KeyError if the form does not have it)."""
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


class Forms(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Forms:
        keys = [c.key for c in self.categories]
        if len(keys) != len(set(keys)):
            raise ValueError("category keys must be unique")
        if "nil" in keys and self.get("nil").fields:
            raise ValueError("category 'nil' is the one-tap 'nothing to report': it has no fields")
        return self

    def get(self, key: str) -> Category:
        """Look a category up by key (KeyError when unknown)."""
        for c in self.categories:
            if c.key == key:
                return c
        raise KeyError(key)

    def has(self, key: str) -> bool:
        """Whether the category exists in this form set."""
        return any(c.key == key for c in self.categories)


def load_forms(path: str | Path | None = None) -> Forms:
    """Load and validate the forms file; the packaged default when no path is given."""
    if path:
        file = Path(path)
        if not file.exists():
            raise FormError(f"forms file not found: {file}")
        text = file.read_text(encoding="utf-8")
        name = str(file)
    else:
        resource = importlib.resources.files("bot.reports") / "default_forms.toml"
        text = resource.read_text(encoding="utf-8")
        name = "bot/reports/default_forms.toml"
    try:
        return Forms.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"{name}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise FormError(f"{name}: {details}") from exc
