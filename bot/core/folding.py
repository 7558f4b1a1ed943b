"""Folding typed text (case, diacritics, spaces) and the error every typed-answer parser raises."""

from __future__ import annotations

import unicodedata

__all__ = ["ParseError", "core_of", "fold"]


class ParseError(ValueError):
    """code is a stable machine key, params feed the user-facing message template."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code: str = code
        self.params: dict[str, object] = dict(params)

    def __repr__(self) -> str:
        return f"ParseError({self.code!r}, {self.params!r})"


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Normalise text so typed answers compare equal with or without Vietnamese diacritics.

    Lowercases, strips combining marks (after NFD), maps đ to d and collapses whitespace.
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d")
    return " ".join(stripped.split())


def core_of(text: str) -> str:
    """Fold, then trim non-alphanumeric ends (emoji, bullets, punctuation) for label matching."""
    folded = fold(text)
    start = 0
    end = len(folded)
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return folded[start:end]
