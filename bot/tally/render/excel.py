"""Excel's rules for what goes in a workbook: text a cell accepts, sheet names, column widths."""

from __future__ import annotations

import re

MAX_CELL = 32_767  # Excel's limit on the characters of one cell
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def cell_text(value: str) -> str:
    """Text Excel accepts: no control characters, at most one cell's length."""
    return ILLEGAL.sub("", value)[:MAX_CELL]


def formula_like(value: object) -> bool:
    """Whether Excel would take the value for a formula."""
    return isinstance(value, str) and value[:1] == "="


def text_width(value: object) -> int:
    """The characters a value takes on its longest line, for the column width."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return max(len(line) for line in text.split("\n")) if "\n" in text else len(text)


class SheetNames:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""

    def __init__(self) -> None:
        """No names taken yet."""
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        """A valid, unused sheet name as close to `wanted` as Excel allows."""
        base = SHEET_BAD.sub(" ", wanted).strip().strip("'").strip()[:31] or "Sheet"
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        self.used.add(name.lower())
        return name
