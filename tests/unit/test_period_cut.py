"""A reporting month up to one of its days: its code round-trips through a button, forged
codes are refused, and the communes keep the running month up to its last closed day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Config, TallySection
from bot.tally import periods, snapshots
from bot.tally.periods import PeriodError, month_named, month_through

NOVEMBER = month_named(2026, 11)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=ZONE)


def test_a_month_up_to_a_day_is_named_as_the_month_and_decodes_from_its_code() -> None:
    cut = month_through(NOVEMBER, date(2026, 11, 22))
    assert cut.code == "m2026-11~20261122"
    assert (cut.start, cut.end, cut.kind, cut.cut_short) == (
        date(2026, 11, 1),
        date(2026, 11, 22),
        "month",
        True,
    )
    assert cut.label("vi") == "Tháng 11/2026 (01/11–22/11/2026)"
    assert periods.decode(cut.code, []) == cut
    assert month_through(NOVEMBER, date(2026, 11, 30)) == NOVEMBER  # up to its end: whole
    assert not NOVEMBER.cut_short


def test_a_month_starting_on_the_15th_is_cut_within_its_own_days() -> None:
    whole = month_named(2026, 11, starts_on=15)  # 15 October .. 14 November
    cut = month_through(whole, date(2026, 10, 31))
    assert cut.code == "m2026-11~20261031"
    assert cut.label("vi") == "Tháng 11/2026 (15/10–31/10/2026)"  # named by its month's end
    assert whole.label("vi") == "Tháng 11/2026 (15/10–14/11/2026)"
    assert periods.decode(cut.code, [], starts_on=15) == cut


@pytest.mark.parametrize(
    "code",
    ["m2026-11~20261201", "m2026-11~20261031", "m2026-11~2026113", "m2026-11~", "m2026-11~x"],
)
def test_a_cut_outside_its_month_or_forged_is_refused(code: str) -> None:
    with pytest.raises(PeriodError) as err:
        periods.decode(code, [])
    assert err.value.key == "tally.bad_period"


def test_only_a_month_is_cut() -> None:
    with pytest.raises(PeriodError):
        month_through(periods.week(date(2026, 11, 23)), date(2026, 11, 23))


def test_the_key_of_a_kept_line_is_its_month_and_last_day() -> None:
    cut = month_through(NOVEMBER, date(2026, 11, 22))
    assert snapshots.key_of(cut) == ("2026-11", "2026-11-22")
    assert snapshots.key_of(NOVEMBER) == ("2026-11", "2026-11-30")
    assert snapshots.key_of(periods.day(date(2026, 11, 22))) is None


def test_the_running_month_is_cut_at_its_last_closed_day() -> None:
    config = Config()  # deadline 21:00
    assert snapshots.closed_part(NOVEMBER, at(23, 9), config) == month_through(
        NOVEMBER, date(2026, 11, 22)
    )
    assert snapshots.closed_part(NOVEMBER, at(23, 22), config) == month_through(
        NOVEMBER, date(2026, 11, 23)
    )
    assert snapshots.closed_part(NOVEMBER, at(1, 9), config) is None  # no day closed yet
    assert snapshots.closed_part(NOVEMBER, at(1, 9, month=12), config) is None  # closed
    cut = month_through(NOVEMBER, date(2026, 11, 22))
    assert snapshots.closed_part(cut, at(23, 9), config) is None  # already cut


def test_the_communes_keep_the_running_month_then_the_closed_ones() -> None:
    config = Config()
    config.tally = TallySection(snapshot_months=2)
    kept = snapshots.kept_periods(at(23, 9), config, 2)
    assert [p.code for p in kept] == ["m2026-11~20261122", "m2026-10", "m2026-09"]
    on_the_first = snapshots.kept_periods(at(1, 9, month=12), config, 2)
    assert [p.code for p in on_the_first] == ["m2026-11", "m2026-10"]
