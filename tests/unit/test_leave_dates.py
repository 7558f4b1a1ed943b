"""Leave dates as typed: keywords, ranges, the nearest year, and the rules a leave follows."""

from __future__ import annotations

from datetime import date

import pytest

from bot.people.leave import LeaveError, check, read_dates, span

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("hôm nay", date(2026, 11, 23), date(2026, 11, 23)),
        ("Hom nay", date(2026, 11, 23), date(2026, 11, 23)),
        ("ngày mai", date(2026, 11, 24), date(2026, 11, 24)),
        ("tomorrow", date(2026, 11, 24), date(2026, 11, 24)),
        ("hôm qua", date(2026, 11, 22), date(2026, 11, 22)),
        ("24/11", date(2026, 11, 24), date(2026, 11, 24)),
        ("24/11-26/11", date(2026, 11, 24), date(2026, 11, 26)),
        ("24/11 – 26/11", date(2026, 11, 24), date(2026, 11, 26)),
        ("24/11/2026-26/11/2026", date(2026, 11, 24), date(2026, 11, 26)),
        ("từ 24/11 đến 26/11", date(2026, 11, 24), date(2026, 11, 26)),
        ("from 24.11 to 26.11.26", date(2026, 11, 24), date(2026, 11, 26)),
        ("hôm nay - ngày mai", date(2026, 11, 23), date(2026, 11, 24)),
        # no year: the occurrence nearest to today, so January is next year's
        ("28/12-05/01", date(2026, 12, 28), date(2027, 1, 5)),
        ("20/11", date(2026, 11, 20), date(2026, 11, 20)),
    ],
)
def test_read_dates(typed: str, start: date, end: date) -> None:
    assert read_dates(typed, TODAY) == (start, end)


@pytest.mark.parametrize("typed", ["", "tuần sau", "32/11", "24/13", "24/11-", "1/2/3/4", "-"])
def test_unreadable_dates(typed: str) -> None:
    with pytest.raises(LeaveError) as err:
        read_dates(typed, TODAY)
    assert err.value.key == "leave.range_format"


@pytest.mark.parametrize(
    ("start", "end", "for_self", "key"),
    [
        (date(2026, 11, 26), date(2026, 11, 24), True, "leave.range_reversed"),
        (date(2026, 11, 24), date(2027, 1, 23), True, "leave.range_too_long"),
        (date(2026, 11, 22), date(2026, 11, 24), True, "leave.past_self"),
        (date(2026, 11, 15), date(2026, 11, 24), False, "leave.too_old"),
    ],
)
def test_rules(start: date, end: date, for_self: bool, key: str) -> None:
    with pytest.raises(LeaveError) as err:
        check(start, end, TODAY, for_self=for_self, max_age_days=7)
    assert err.value.key == key


def test_what_the_rules_allow() -> None:
    check(TODAY, date(2027, 1, 21), TODAY, for_self=True, max_age_days=7)  # 60 days
    check(date(2026, 11, 16), TODAY, TODAY, for_self=False, max_age_days=7)  # 7 days back


def test_span() -> None:
    assert span(date(2026, 11, 23), date(2026, 11, 23)) == "23/11/2026"
    assert span(date(2026, 11, 24), date(2026, 11, 26)) == "24/11–26/11/2026"
    assert span(date(2026, 12, 28), date(2027, 1, 3)) == "28/12/2026–03/01/2027"
