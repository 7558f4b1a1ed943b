"""User-facing texts, Vietnamese first, English second, loaded from bot/locales/*.toml."""

from __future__ import annotations

import importlib.resources
import tomllib
from typing import Any

DEFAULT_LOCALE = "vi"


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


class Texts:
    """All catalogues in memory; `t()` falls back to Vietnamese when a key lacks a translation."""

    def __init__(self, catalogues: dict[str, dict[str, str]]) -> None:
        self.catalogues = catalogues

    @classmethod
    def load(cls) -> Texts:
        """Read the packaged catalogues once at start-up."""
        folder = importlib.resources.files("bot") / "locales"
        catalogues: dict[str, dict[str, str]] = {}
        for entry in folder.iterdir():
            if entry.name.endswith(".toml"):
                flat: dict[str, str] = {}
                _flatten("", tomllib.loads(entry.read_text(encoding="utf-8")), flat)
                catalogues[entry.name.removesuffix(".toml")] = flat
        return cls(catalogues)

    def t(self, locale: str, key: str, **params: object) -> str:
        """Format one text for a user; a missing key is a bug and raises KeyError.

        `{press}` in a text is how to pick a choice, which depends on the messenger (see
        engine.Context.t); where the messenger is not known it is the neutral "chọn".
        """
        template = self.template(locale, key)
        if "ress}" in template and "press" not in params:
            word = self.template(locale, "words.choose")
            params = {"press": word, "Press": word[:1].upper() + word[1:], **params}
        return template.format(**params) if params else template

    def template(self, locale: str, key: str) -> str:
        """The unformatted text, to see which words it needs (say `{press}`)."""
        table = self.catalogues.get(locale) or {}
        template = table.get(key)
        return template if template is not None else self.catalogues[DEFAULT_LOCALE][key]
