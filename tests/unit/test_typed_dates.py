"""Days typed in chat and on the command line are read one way everywhere."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.typed_dates import read_day

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1/10", date(2026, 10, 1)),
        ("01/10/2026", date(2026, 10, 1)),
        ("1-10-26", date(2026, 10, 1)),
        ("1.10.2026", date(2026, 10, 1)),
        ("2026-10-01", date(2026, 10, 1)),
        ("ngày 1/10", date(2026, 10, 1)),
        ("Hôm nay", TODAY),
        ("hom qua", date(2026, 11, 29)),
        ("ngày mai", date(2026, 12, 1)),
        ("5/1", date(2027, 1, 5)),  # the occurrence nearest to today
        (" 30/11. ", TODAY),
    ],
)
def test_forms_people_type(typed: str, expected: date) -> None:
    """Every form chat and the command line promise reads as the same day."""
    assert read_day(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "mùng một", "31/2/2026", "2026-13-01", "1/10/20266", "10"])
def test_nonsense_is_no_day(typed: str) -> None:
    """What names no day is None, so the caller can say which forms work."""
    assert read_day(typed, TODAY) is None
