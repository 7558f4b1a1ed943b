"""Ids carried in button data, parsed in one place.

Button data comes back from the user's device and can be forged: `"²".isdigit()` is true
but `int("²")` fails, and an id past 2**63 - 1 overflows SQLite. Every handler reads ids
from buttons through `parse_id`, and a bad one is treated like an id that does not exist
(the user gets the normal "not found" answer, never the internal-error message).
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER
_ASCII_ID = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None) -> int | None:
    """A positive row id written in ASCII digits and within SQLite's range, else None."""
    if text is None or not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_after(value: str | None, prefix: str) -> int | None:
    """The id in a button value such as 'ack:42' for the prefix 'ack:'; None when the value
    has another prefix or no valid id."""
    if value is None or not value.startswith(prefix):
        return None
    return parse_id(value[len(prefix) :])
