"""Invisible characters that must not hide in names people read and type.

A unit name holding a NUL, a tab, a line separator, a right-to-left override (U+202E) or a
zero-width space (U+200B) shows on screen as another name, reversed or cut, or as the same
name as a different unit: members pick the wrong team, officers cannot type the path an
invite needs, and the files a tally exports carry the trick along. Zero-width joiners inside
emoji sequences (👨‍👩‍👧) are the one exception: they are how those emoji are written.
"""

from __future__ import annotations

import unicodedata

# Control (Cc), format (Cf: bidi overrides, zero-width characters, BOM) and the line and
# paragraph separators (Zl, Zp), which break a name over lines.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_ZWJ = "\u200d"


def first_control_character(text: str) -> str | None:
    """The first control or format character of `text`, or None when it has none.

    Names are checked with this before they are stored, because such characters make a name
    display as something other than what is stored. A zero-width joiner is allowed only
    between two pictographic symbols (an emoji sequence), where it is part of the emoji.
    """
    if text.isprintable():  # fast path: no Cc, Cf, Zl or Zp (nor other unusual characters)
        return None
    for index, char in enumerate(text):
        if unicodedata.category(char) not in _REFUSED_CATEGORIES:
            continue
        if char == _ZWJ and _joins_emoji(text, index):
            continue
        return char
    return None


def describe_character(char: str) -> str:
    """The code point and Unicode name, e.g. 'U+202E (RIGHT-TO-LEFT OVERRIDE)': an operator
    cannot see the character, so the message must say which one to look for."""
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else f"{code} (a control character)"


def _joins_emoji(text: str, index: int) -> bool:
    before = index - 1
    while before >= 0 and _emoji_modifier(text[before]):
        before -= 1
    after = index + 1
    return (
        before >= 0 and after < len(text) and _pictograph(text[before]) and _pictograph(text[after])
    )


def _emoji_modifier(char: str) -> bool:
    """Variation selectors (U+FE0E, U+FE0F) and skin tones (U+1F3FB-U+1F3FF) may sit between
    an emoji and the joiner that follows it."""
    return char in "\ufe0e\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff"


def _pictograph(char: str) -> bool:
    """Emoji are 'other symbols' (So); Python's unicodedata has no Extended_Pictographic."""
    return unicodedata.category(char) == "So"
