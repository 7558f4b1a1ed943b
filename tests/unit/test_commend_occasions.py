"""Commendation occasions: phases by their days, the 19/8 festival over the year before it,
what /khenthuong offers on a day, and how a typed or forged code is read."""

from __future__ import annotations

from datetime import date

from bot.commend import occasions
from bot.core.config import Phase

DOT1 = Phase(name="Đợt 1", start=date(2024, 10, 1), end=date(2025, 2, 3))
DOT2 = Phase(name="Đợt 2", start=date(2025, 2, 4), end=date(2025, 8, 19))
LATER = Phase(name="Đợt 3", start=date(2025, 9, 1), end=date(2025, 12, 31))


def test_the_festival_looks_back_over_the_twelve_months_before_19_august() -> None:
    fest = occasions.festival(2025)
    assert (fest.start, fest.end, fest.code) == (date(2024, 8, 20), date(2025, 8, 19), "f2025")
    assert fest.title("Ngày hội") == "Ngày hội (20/08/2024–19/08/2025)"
    assert occasions.of_phase(DOT1).code == "p20241001-20250203"
    assert occasions.of_phase(DOT2).title("") == "Đợt 2 (04/02–19/08/2025)"


def test_offered_are_begun_phases_and_two_festivals_latest_first() -> None:
    offered = occasions.offered([DOT1, DOT2, LATER], date(2025, 3, 1))
    assert [o.code for o in offered] == [
        "p20250204-20250819",  # running: ticks may start before its end
        "f2025",
        "p20241001-20250203",
        "f2024",
    ]


def test_codes_and_typed_names_are_read_and_forged_ones_refused() -> None:
    phases = [DOT1, DOT2]
    assert occasions.decode("p20241001-20250203", phases) == occasions.of_phase(DOT1)
    assert occasions.decode("p20241001-20250204", phases) is None  # no such phase (any more)
    assert occasions.decode("f99999", phases) is None
    assert occasions.decode("f1900", phases) is None
    assert occasions.find("dot 2", phases) == occasions.of_phase(DOT2)
    for typed in ("f2025", "19/8/2025", "ngay-hoi-2025", "Ngày hội 2025", "2025-08-19"):
        assert occasions.find(typed, phases) == occasions.festival(2025), typed
    assert occasions.find("Đợt 9", phases) is None
