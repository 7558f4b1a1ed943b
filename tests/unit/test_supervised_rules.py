"""The register's pure rules: when a visit falls due in a period, and who reads names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core.config import ConfigError, load_config
from bot.people.supervised import clean_code, due_in, sees_names, valid_code
from storage.members import Member
from storage.units import Unit

NOV = (date(2026, 11, 1), date(2026, 11, 30))
TEAM = Unit(7, 3, "Thôn Nà Lẹng", "village", "P/X/Thôn Nà Lẹng", None, "")


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("since", "until", "last", "every", "due"),
    [
        ("2026-10-10", None, None, 30, "2026-11-09"),  # first due 30 days after since
        ("2026-09-01", None, "2026-10-20", 30, "2026-11-19"),  # from the last visit
        ("2026-11-20", None, None, 30, None),  # falls due in December
        ("2026-08-01", None, None, 30, "2026-11-29"),  # overdue since August: due again
        ("2026-10-15", None, "2026-10-28", 10, "2026-11-07"),  # their own rhythm
        ("2026-10-10", "2026-11-05", None, 30, None),  # management ended before the day
        ("2026-10-02", None, None, 30, "2026-11-01"),  # the first day of the period
        ("2026-10-31", None, None, 30, "2026-11-30"),  # the last day
    ],
)
def test_due_in(
    since: str, until: str | None, last: str | None, every: int, due: str | None
) -> None:
    got = due_in(d(since), d(until) if until else None, d(last) if last else None, every, *NOV)
    assert got == (d(due) if due else None)


def _member(role: str, unit_id: int, path: str) -> Member:
    return Member(1, unit_id, role, "X", "vi", True, "U", path, "kind")


@pytest.mark.parametrize(
    ("role", "unit_id", "path", "sees"),
    [
        ("leader", 7, "P/X/Thôn Nà Lẹng", True),
        ("deputy", 7, "P/X/Thôn Nà Lẹng", True),
        ("member", 7, "P/X/Thôn Nà Lẹng", False),
        ("leader", 8, "P/X/Thôn Khuôn Pinh", False),  # another team's leader
        ("officer", 3, "P/X", True),  # the commune police over the team
        ("officer", 4, "P/Y", False),  # another commune's
        ("officer", 1, "P", True),  # the province's police hold the commune too
        ("supervisor", 3, "P/X", False),  # counts and codes only
        ("admin", 1, "P", True),
    ],
)
def test_who_sees_names(role: str, unit_id: int, path: str, sees: bool) -> None:
    assert sees_names(_member(role, unit_id, path), TEAM) is sees


def test_codes_are_short_and_compared_without_case() -> None:
    assert clean_code("  n  v a ") == "N V A"
    assert valid_code("NVA") and valid_code("A-01") and valid_code("Đ.V.B")
    assert not valid_code("123") and not valid_code("A" * 21) and not valid_code("a/b")


def test_the_visit_rhythm_is_configured_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[supervised]\nvisit_every_days = 15\n", encoding="utf-8")
    assert load_config(str(path)).supervised.visit_every_days == 15
    assert load_config(None).supervised.visit_every_days == 30  # local practice
    path.write_text("[supervised]\nvisit_every_days = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="visit_every_days"):
        load_config(str(path))
