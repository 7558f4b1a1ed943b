"""Fitting texts to a messenger's limit: Telegram counts UTF-16 units, Zalo characters."""

from __future__ import annotations

import pytest

from bot.channels.text import TELEGRAM_TEXT, clip, code_points, split_text, utf16_units


def test_utf16_units_count_emoji_twice() -> None:
    assert utf16_units("Tổ 🚨") == 5
    assert code_points("Tổ 🚨") == 4


def test_short_text_is_one_part() -> None:
    assert split_text("Xin chào\n1. Có", TELEGRAM_TEXT, utf16_units) == ["Xin chào\n1. Có"]


@pytest.mark.parametrize("line", ["🚨" * 3000, "x" * 9000, ("từ " * 3000).strip()])
def test_every_part_fits_and_nothing_is_lost(line: str) -> None:
    text = f"Đầu\n{line}\nCuối"
    parts = split_text(text, TELEGRAM_TEXT, utf16_units)
    assert len(parts) > 1
    assert all(0 < utf16_units(p) <= TELEGRAM_TEXT for p in parts)
    squeezed = "".join("".join(p.split()) for p in parts)
    assert squeezed == "".join(text.split())


def test_lines_are_kept_whole_when_they_fit() -> None:
    lines = [f"Dòng {i}: " + "a" * 50 for i in range(200)]
    parts = split_text("\n".join(lines), 2000)
    assert all(len(p) <= 2000 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_clip_adds_an_ellipsis_within_the_limit() -> None:
    assert clip("ngắn", 10) == "ngắn"
    assert clip("Xã Không Tồn Tại", 8) == "Xã Khôn…"
    clipped = clip("🚨" * 700, 1024, utf16_units)
    assert clipped.endswith("…") and utf16_units(clipped) <= 1024
