"""Unit tests for bot.core.controlchars: which invisible characters a name may not hold."""

from __future__ import annotations

import pytest

from bot.core.controlchars import describe_character, first_control_character

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # white flag, VS16, ZWJ, rainbow
DARK_COOK = "\U0001f469\U0001f3ff\u200d\U0001f373"  # woman, dark skin tone, ZWJ, pan
HEART_ON_FIRE = "\u2764\ufe0f\u200d\U0001f525"


@pytest.mark.parametrize(
    "name",
    [
        "Thôn Nà Lẹng",
        "Tổ ANTT số 1",
        "Xã\u00a0Bắc Sơn",  # a no-break space is a visible gap, not a hidden character
        f"Đội {FAMILY}",
        f"{RAINBOW_FLAG} Tổ 2",
        DARK_COOK,
        HEART_ON_FIRE,
        "",
    ],
)
def test_names_people_can_read_pass(name: str) -> None:
    assert first_control_character(name) is None


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Thôn\x00A", "\x00"),  # NUL
        ("Thôn\tA", "\t"),  # tab (Cc)
        ("Thôn\nA", "\n"),
        ("Thôn\x7fA", "\x7f"),  # DEL
        ("Thôn \u202eAB", "\u202e"),  # right-to-left override (Cf)
        ("Thôn\u200bA", "\u200b"),  # zero-width space (Cf)
        ("Thôn\ufeffA", "\ufeff"),  # byte order mark inside a name (Cf)
        ("Thôn\u2066A\u2069", "\u2066"),  # left-to-right isolate (Cf)
        ("Thôn\u00adA", "\u00ad"),  # soft hyphen (Cf)
        ("Thôn\u2028A", "\u2028"),  # line separator (Zl)
        ("Thôn\u2029A", "\u2029"),  # paragraph separator (Zp)
        ("Tha\u200dnh", "\u200d"),  # a joiner between letters is not an emoji
        ("\U0001f468\u200d", "\u200d"),  # a joiner with nothing after it
        ("\u200d\U0001f468", "\u200d"),  # ... or nothing before it
        ("A\u200d\U0001f468", "\u200d"),  # ... or a letter on one side
        (f"{FAMILY}\u202e", "\u202e"),  # an emoji does not excuse another character
        ("\x00\u202e", "\x00"),  # the first one is named
    ],
)
def test_control_and_format_characters_are_found(name: str, found: str) -> None:
    assert first_control_character(name) == found


def test_description_names_the_code_point() -> None:
    assert describe_character("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert describe_character("\u200b") == "U+200B (ZERO WIDTH SPACE)"
    assert describe_character("\ufeff") == "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"
    assert describe_character("\x00") == "U+0000 (a control character)"
    assert describe_character("\t") == "U+0009 (a control character)"
