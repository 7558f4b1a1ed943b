"""The stamps a tally's workbook carries (bot/tally/render/stable.py): the same on any day
once the period has ended, and every zip entry set to it."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.tally.periods import month_named
from bot.tally.render.stable import fixed_zip_times, stamp

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OCTOBER = month_named(2026, 10, 1)


def test_an_ended_period_is_stamped_with_the_day_after_it_whatever_the_day() -> None:
    for made in (datetime(2026, 11, 29, 10, tzinfo=TZ), datetime(2027, 3, 1, 23, tzinfo=TZ)):
        assert stamp(OCTOBER, made) == datetime(2026, 11, 1, 0, 0, tzinfo=TZ)


def test_a_running_period_is_stamped_when_made() -> None:
    made = datetime(2026, 10, 20, 9, 30, tzinfo=TZ)
    assert stamp(OCTOBER, made) == made


def test_every_zip_entry_gets_the_stamp_and_the_contents_stay() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", "<a/>" * 100)
        z.writestr("b/c.xml", "<c/>")
    fixed = fixed_zip_times(out.getvalue(), datetime(2026, 11, 1, 0, 0, 4))
    with zipfile.ZipFile(io.BytesIO(fixed)) as z:
        assert [i.date_time for i in z.infolist()] == [(2026, 11, 1, 0, 0, 4)] * 2
        assert z.read("a.xml") == b"<a/>" * 100 and z.testzip() is None


def test_bytes_that_are_not_a_zip_come_back_as_they_are() -> None:
    assert fixed_zip_times(b"not a zip", datetime(2026, 11, 1)) == b"not a zip"
