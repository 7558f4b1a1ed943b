"""Fitting texts to a messenger's length limit, so no reply is ever refused for its size.

Telegram refuses a message over 4,096 characters (counted as UTF-16 code units, so an emoji
counts twice) and a caption over 1,024; Zalo refuses a text over 2,000. A refused reply is
a reply the user never gets, so every channel passes its texts through `split_text` (or
`clip` for captions) whatever the dialog that wrote them.
"""

from __future__ import annotations

from collections.abc import Callable

TELEGRAM_TEXT = 4096
TELEGRAM_CAPTION = 1024
ZALO_TEXT = 2000
ELLIPSIS = "…"

Measure = Callable[[str], int]


def code_points(text: str) -> int:
    """Length as Python counts it (Zalo's limit)."""
    return len(text)


def utf16_units(text: str) -> int:
    """Length as Telegram (and JavaScript) count it: characters outside the BMP count two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut(text: str, limit: int, measure: Measure) -> int:
    """The longest prefix of `text` (in code points) within `limit`."""
    if measure(text) <= limit:
        return len(text)
    low, high = 0, min(len(text), limit)
    while low < high:  # the prefix length is monotone in the measure
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def split_text(text: str, limit: int, measure: Measure = code_points) -> list[str]:
    """Cut a long text into messages of at most `limit`, between lines where it can.

    A single line longer than the limit is cut at its last space before the limit (or hard
    when it has none), so nothing is lost and no part is refused; blank parts are dropped.
    """
    if measure(text) <= limit:  # nearly every message: one part, measured once
        return [text] if text.strip() else [" "]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while measure(line) > limit:
            fits = _cut(line, limit, measure)
            space = line.rfind(" ", 0, fits + 1)
            cut = space if space > 0 else max(fits, 1)
            head, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if current and measure(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip() or not parts:
        parts.append(current)
    kept = [p for p in parts if p.strip()]
    return kept or [text[: _cut(text, limit, measure)] or " "]


def clip(text: str, limit: int, measure: Measure = code_points) -> str:
    """`text` shortened to `limit` with an ellipsis: for captions and for echoing back what
    a user typed (an unknown unit name, an unknown command) inside a reply."""
    if measure(text) <= limit:
        return text
    return text[: _cut(text, limit - measure(ELLIPSIS), measure)].rstrip() + ELLIPSIS
