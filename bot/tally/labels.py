"""The words of a tally in the reader's language, and how its numbers are written.

The chat message, the workbook, the CSV and the chart all take one `Labels`, so every output
names kinds, targets and ratings alike; `percent` rounds shares down the same way in each.
"""

from __future__ import annotations

import math

from bot.core.config import Config
from bot.core.i18n import DEFAULT_LOCALE, Texts
from bot.reports.forms import FieldDef, Forms
from bot.tally.compute import UnitTally
from bot.tally.privacy import is_withheld


def percent(value: float | None) -> str:
    """A share as a whole percent, rounded down ('—' when there is nothing to measure)."""
    if value is None:
        return "—"
    return f"{math.floor(value * 100 + 1e-9)}%"


def labels_for(texts: Texts, forms: Forms, config: Config, locale: str) -> Labels:
    """Column headers and kind / target names in the reader's language, with the configured
    good-deed and nil kinds (the chart draws good deeds first and counts nil reports aside)."""
    sources = config.tally.sources
    return Labels(
        texts,
        forms,
        locale,
        config.tally.targets.tip_ack_minutes,
        good_deed_kind=sources.good_deed_kind,
        nil_kind=sources.nil_kind,
    )


def plain(label: str) -> str:
    """A label without its leading icon, for fonts and spreadsheets that cannot show emoji."""
    start = 0
    while start < len(label) and not label[start].isalnum():
        start += 1
    return label[start:] or label


class Labels:
    """Every word the files show, in one language: kinds, targets, ratings, headers, sheets.

    Built once per tally so the renderers never need the catalogues, the forms or the config.
    `good_deed_kind` is the report kind whose count the good-deed target measures (the chart
    draws that kind first so the target tick marks where its segment should reach);
    `nil_kind` is the one-tap "nothing to report" kind, which the chart counts beside the bars
    instead of drawing it (a month of nil reports would dwarf the real work).
    """

    def __init__(
        self,
        texts: Texts,
        forms: Forms,
        locale: str,
        tip_ack_minutes: int,
        *,
        good_deed_kind: str = "good_deed",
        nil_kind: str = "nil",
    ) -> None:
        """Keep the catalogues and forms; look up the yes/no words once."""
        self.texts = texts
        self.forms = forms
        self.locale = locale
        self.tip_ack_minutes = tip_ack_minutes
        self.good_deed_kind = good_deed_kind
        self.nil_kind = nil_kind
        self._field_cache: dict[str, dict[str, FieldDef]] = {}
        self._yes = texts.t(locale, "answer.yes")
        self._no = texts.t(locale, "answer.no")

    def t(self, key: str, **params: object) -> str:
        """One catalogue text in this language (KeyError for a key missing everywhere)."""
        return self.texts.t(self.locale, key, **params)

    def _has(self, key: str) -> bool:
        """Whether the catalogue of this language (or the default one) has the key."""
        cats = self.texts.catalogues
        return key in cats.get(self.locale, {}) or key in cats.get(DEFAULT_LOCALE, {})

    def _text(self, key: str, fallback: str, **params: object) -> str:
        """A catalogue text, or `fallback` when no catalogue has the key."""
        return self.texts.t(self.locale, key, **params) if self._has(key) else fallback

    def kind(self, kind: str) -> str:
        """A report kind with its icon, as on the buttons; the key itself if the form is gone."""
        return self.forms.title(kind, self.locale)

    def kind_plain(self, kind: str) -> str:
        """A report kind without its icon, for headers and the chart."""
        return plain(self.kind(kind))

    def target(self, key: str) -> str:
        """A target's short name; the tips target says its time limit."""
        return self._text("tally.target." + key, key, minutes=self.tip_ack_minutes)

    def state(self, state: str | None) -> str:
        """Where an urgent report stands, in words; the key itself for a step the catalogue
        does not name (a step recorded by a newer version), empty for none."""
        return self._text("tally_urgent.state." + state, state) if state else ""

    def source(self, key: str) -> str:
        """Where a target comes from: the plan's own words, or "local practice"."""
        return self._text("tally_urgent.source." + key, "", minutes=self.tip_ack_minutes)

    def definition(self, key: str) -> str:
        """How a target's share is counted, in one sentence."""
        return self._text("tally_urgent.definition." + key, "", minutes=self.tip_ack_minutes)

    def rating(self, level: str | None) -> str:
        """A suggested rating in words; empty for a unit that has none (no members)."""
        return self._text("tally.rating." + level, level) if level else ""

    def yes_no(self, flag: bool) -> str:
        """Có/Không (Yes/No), as the report forms say it."""
        return self._yes if flag else self._no

    def title(self, unit: str, period: str) -> str:
        """The tally title without its icon, for workbook properties and the chart."""
        return plain(self.t("tally.title", unit=unit, period=period))

    def level(self, units: list[UnitTally], depth: int) -> str:
        """The sheet name of one level: 'Xã' when every unit there is a commune, else 'Cấp N'."""
        if depth == 0:
            return self.t("tally.level.root")
        kinds = {u.kind for u in units}
        if len(kinds) == 1:
            named = self._text("export.unit_kind." + kinds.pop(), "")
            if named:
                return named
        return self.t("tally.level.depth", depth=depth)

    def _fields(self, kind: str) -> dict[str, FieldDef]:
        """A kind's fields by key (none for a kind the forms dropped), cached."""
        fields = self._field_cache.get(kind)
        if fields is None:
            category = self.forms.find(kind)
            fields = {f.key: f for f in category.fields} if category else {}
            self._field_cache[kind] = fields
        return fields

    def field(self, kind: str, key: str) -> str:
        """A report field's label; the key itself when the form no longer has it."""
        fdef = self._fields(kind).get(key)
        return fdef.label.get(self.locale) if fdef else key

    def details(self, kind: str, data: dict[str, object]) -> str:
        """A report's answers on one line, 'label: value; ...', in form order.

        Answers the form no longer has follow under their keys, so nothing filed is hidden;
        answers withheld from this file's reader (bot/tally/privacy) say who may read them.
        """
        if is_withheld(data):
            return self.t("files.withheld")
        fields = self._fields(kind)
        keys = [k for k in fields if k in data] + [k for k in data if k not in fields]
        parts = []
        for key in keys:
            fdef = fields.get(key)
            text = self._answer(fdef, data[key])
            if text:
                parts.append(f"{fdef.label.get(self.locale) if fdef else key}: {text}")
        return "; ".join(parts)

    def _answer(self, fdef: FieldDef | None, value: object) -> str:
        """One stored answer as text; empty for no answer."""
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, bool):
            return self._yes if value else self._no
        if fdef is not None and fdef.type == "photo" and isinstance(value, list):
            return self.t("answer.photos", count=len(value))
        if fdef is not None and fdef.type == "date" and isinstance(value, str):
            return _date_text(value)
        if isinstance(value, dict):
            if "voice" in value:  # a voice note is played in the chat, not read in a sheet
                return self.t("voice.export", seconds=value.get("seconds", 0))
            if "text" in value:
                return str(value["text"])
            if "lat" in value and "lon" in value:
                return f"{value['lat']}, {value['lon']}"
            return ", ".join(f"{k}={v}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self._option(fdef, v) for v in value)
        return self._option(fdef, value)

    def _option(self, fdef: FieldDef | None, value: object) -> str:
        """One value as its option label, yes/no or plain text."""
        if fdef is not None and fdef.options and isinstance(value, str):
            return fdef.option_label(value, self.locale)
        if isinstance(value, bool):
            return self._yes if value else self._no
        return str(value)


def _date_text(value: str) -> str:
    """An ISO date as dd/mm/yyyy; anything else unchanged."""
    parts = value.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return value
