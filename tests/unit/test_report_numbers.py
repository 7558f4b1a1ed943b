"""Report numbers past 999,999 a year: one shape, read back from every way people type it,
ordered as numbers (BC-2026-999999 before BC-2026-1000000)."""

from __future__ import annotations

import pytest

from bot.reports.numbers import looks_like_number, number_key, parse_number
from storage.reports import number_text


def test_the_shape_grows_a_digit_at_a_million_and_never_wraps() -> None:
    assert number_text(2026, 1) == "BC-2026-000001"
    assert number_text(2026, 999_999) == "BC-2026-999999"
    assert number_text(2026, 1_000_000) == "BC-2026-1000000"
    assert number_text(2026, 12_345_678) == "BC-2026-12345678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("BC-2026-000123", "BC-2026-000123"),
        ("bc-2026-123", "BC-2026-000123"),
        ("2026-123", "BC-2026-000123"),
        ("123", "BC-2026-000123"),
        ("BC-2026-999999", "BC-2026-999999"),
        ("BC-2026-1000000", "BC-2026-1000000"),
        ("bc-2026-01000000", "BC-2026-1000000"),
        ("1000001", "BC-2026-1000001"),
        (" BC - 2025 - 1234567 ", "BC-2025-1234567"),
        ("BC-2026-999999999", "BC-2026-999999999"),
    ],
)
def test_typed_numbers_read_back_as_stored(typed: str, stored: str) -> None:
    assert parse_number(typed, 2026) == stored


@pytest.mark.parametrize(
    "typed", ["", "BC-2026-0", "0", "BC-2026-1000000000", "BC-26-12", "BC-2026-12a", "số 12"]
)
def test_anything_else_is_no_number(typed: str) -> None:
    assert parse_number(typed, 2026) is None


def test_a_command_argument_names_a_report_or_a_person() -> None:
    assert looks_like_number("BC-2026-1000000") and looks_like_number("bc-2026-12")
    assert not looks_like_number("Nguyễn Văn An") and not looks_like_number("123")


def test_numbers_sort_as_numbers_across_the_million() -> None:
    numbers = [number_text(2026, n) for n in (1_000_001, 2, 999_999, 1_000_000)]
    numbers += [number_text(2025, 1_500_000), "BC-t1"]
    assert sorted(numbers, key=number_key) == [
        "BC-2025-1500000",
        "BC-2026-000002",
        "BC-2026-999999",
        "BC-2026-1000000",
        "BC-2026-1000001",
        "BC-t1",
    ]
    text_order = sorted(numbers)  # what text order alone would do: the million first
    assert text_order.index("BC-2026-1000000") < text_order.index("BC-2026-999999")
