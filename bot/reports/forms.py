"""Report forms as data: the categories, their fields and rules, validated at start-up.

The default file ships with the package (bot/reports/default_forms.toml); a province can point
`[reports] forms_file` at its own copy to add a category or change a bound without code.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bot.reports import kinds  # noqa: F401  (every field kind registered before validating)
from bot.reports.fielddef import DATE, Condition, FieldDef, LocalText, Option

__all__ = [
    "Category",
    "Condition",
    "FieldDef",
    "FormError",
    "Forms",
    "LocalText",
    "Option",
    "Routine",
]


class FormError(Exception):
    """The forms file cannot be used; the message says which category and field."""


class Routine(BaseModel):
    """ "Same as last time": the answers copied from the member's last report of the kind
    (`keep`) and the ones set to a fixed value (`set`, e.g. no incidents)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    keep: list[str] = Field(min_length=1)
    set_: dict[str, str | int | bool] = Field(default={}, alias="set")


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)
    icon: str = ""
    label: LocalText
    urgent: bool = False
    # An urgent kind whose own answer can say it is not pressing (a tip marked "Bình
    # thường"): it is still a case the police take up, but it waits out quiet hours and
    # climbs no escalation ladder.
    urgent_unless: Condition | None = None
    fields: list[FieldDef] = []
    routine: Routine | None = None

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
        if dates and dates[0].key != DATE:
            raise ValueError(
                f"category {self.key!r}: the report's date field must be keyed {DATE!r}"
            )
        self._pairs_ok(keys)
        self._routine_ok(keys)
        for f in self.fields:
            if f.locked_when_confirmed and not self.urgent:
                raise ValueError(
                    f"category {self.key!r}: field {f.key!r} is locked_when_confirmed, which "
                    "only works in an urgent category (only their reports are confirmed)"
                )
        self._urgent_unless_ok(keys)
        return self

    def _urgent_unless_ok(self, keys: list[str]) -> None:
        rule = self.urgent_unless
        if rule is None:
            return
        if not self.urgent:
            raise ValueError(f"category {self.key!r}: urgent_unless needs urgent = true")
        if rule.field not in keys:
            raise ValueError(
                f"category {self.key!r}: urgent_unless names {rule.field!r}, which is not one"
                " of its fields"
            )
        for value in rule.equals:
            if not _fits(self.field(rule.field), value):
                raise ValueError(
                    f"category {self.key!r}: urgent_unless compares {rule.field!r} with"
                    f" {value!r}, which is not a valid answer to it"
                )

    def urgent_for(self, answers: dict[str, object]) -> bool:
        """Whether this report must reach the police at once, day or night, and climb the
        escalation ladder: an urgent kind, unless its own answer says it is not pressing."""
        rule = self.urgent_unless
        if not self.urgent:
            return False
        return rule is None or not rule.holds({rule.field: answers.get(rule.field)})

    def _pairs_ok(self, keys: list[str]) -> None:
        for f in self.fields:
            if f.pair is None:
                continue
            if f.pair not in keys or keys.index(f.pair) <= keys.index(f.key):
                raise ValueError(
                    f"category {self.key!r}: field {f.key!r} pairs with {f.pair!r}, "
                    "which must be a later field"
                )
            if self.field(f.pair).type != "time" or not self.field(f.pair).in_sequence:
                raise ValueError(
                    f"category {self.key!r}: {f.pair!r} must be a time field asked in sequence"
                )

    def _routine_ok(self, keys: list[str]) -> None:
        if self.routine is None:
            return
        for key in [*self.routine.keep, *self.routine.set_]:
            if key not in keys:
                raise ValueError(
                    f"category {self.key!r}: routine names {key!r}, which is not one of its fields"
                )
        for key, value in self.routine.set_.items():
            if not _fits(self.field(key), value):
                raise ValueError(
                    f"category {self.key!r}: routine sets {key!r} to {value!r}, which is not "
                    f"a valid {self.field(key).type} answer for it"
                )

    def paired_with(self, key: str) -> FieldDef | None:
        """The shift field whose buttons also fill `key` (the end time), if any."""
        for f in self.fields:
            if f.pair == key:
                return f
        return None

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

    def find(self, key: str) -> Category | None:
        """The category, or None for a kind no longer in the forms (a stored report of a
        kind since removed is still shown and counted)."""
        return next((c for c in self.categories if c.key == key), None)

    def title(self, key: str, locale: str, unknown: str | None = None) -> str:
        """A kind's title in `locale`; for a kind no longer in the forms, `unknown` (the key
        itself by default)."""
        category = self.find(key)
        if category is not None:
            return category.title(locale)
        return key if unknown is None else unknown


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
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"{name}: not valid TOML: {exc}") from exc
    try:
        return Forms.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(f"{_where(e['loc'], data)}: {e['msg']}" for e in exc.errors())
        raise FormError(f"{name}: {details}") from exc


def _where(loc: tuple[int | str, ...], data: object) -> str:
    """Where an error is, by the keys a form's author wrote ("category 'patrol', field
    'note'") rather than by list positions ("categories.0.fields.7")."""
    parts: list[str] = []
    node = data
    for step in loc:
        node = _child(node, step)
        key = node.get("key") if isinstance(node, dict) and isinstance(step, int) else None
        if isinstance(step, int) and key is not None:
            parts[-1] = f"{'category' if parts[-1] == 'categories' else 'field'} {key!r}"
        else:
            parts.append(str(step))
    return ", ".join(parts)


def _child(node: object, step: int | str) -> object:
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    if isinstance(node, dict):
        return node.get(step)
    return None


def _fits(fdef: FieldDef, value: object) -> bool:
    """Whether a value written in the forms file is an answer the field could have stored,
    so "same as last time" never saves what the question itself would refuse."""
    if fdef.type == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return (fdef.minimum is None or value >= fdef.minimum) and (
            fdef.maximum is None or value <= fdef.maximum
        )
    if fdef.type == "yes_no":
        return isinstance(value, bool)
    if fdef.type == "choice":
        return value in {o.value for o in fdef.options}
    if fdef.type == "text":
        return isinstance(value, str) and len(value) <= fdef.max_length
    return False
