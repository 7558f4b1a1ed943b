"""Phone numbers as people write them: checked loosely, kept as written (spaces collapsed).

A number is read out to people (an officer calling a reporter back, a member calling the
commune), never dialled by the bot: digits with spaces, dots or a leading +, 3 to 15 digits
(113 is a phone number too).
"""

from __future__ import annotations

import re

PHONE_RE = re.compile(r"\+?[0-9][0-9 .]*[0-9]")
PHONE_DIGITS = (3, 15)


def normalize_phone(raw: str) -> str | None:
    """The number with runs of spaces collapsed, or None when it is not a phone number."""
    text = raw.strip()
    digits = sum(char.isdigit() for char in text)
    low, high = PHONE_DIGITS
    if not PHONE_RE.fullmatch(text) or not low <= digits <= high:
        return None
    return " ".join(text.split())
