"""The small decisions behind an alert officers can use and a confirmation that holds: how a
phone number is shown, which fields a confirmation locks (checked at start-up)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reports.alert_message import format_phone
from bot.reports.forms import FormError, load_forms


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("0912.345.678", "0912 345 678"),
        (" 0912-345-678 ", "0912 345 678"),
        ("+84 912 345 678", "+84 912 345 678"),  # not a 10-digit local number: as stored
        ("0205 3871 234 (cơ quan)", "0205 3871 234 (cơ quan)"),
        ("113", "113"),
    ],
)
def test_a_phone_is_grouped_as_read_aloud_or_left_as_stored(stored: str, shown: str) -> None:
    assert format_phone(stored) == shown


FORM = """
[[categories]]
key = "watch"
label = {{ vi = "Canh gác" }}
urgent = {urgent}

[[categories.fields]]
key = "in_time"
type = "yes_no"
label = {{ vi = "Có mặt kịp thời" }}
locked_when_confirmed = true
"""


def test_a_locked_field_outside_an_urgent_category_stops_start_up(tmp_path: Path) -> None:
    path = tmp_path / "forms.toml"
    path.write_text(FORM.format(urgent="false"), encoding="utf-8")
    with pytest.raises(FormError) as err:
        load_forms(path)
    assert "category 'watch': field 'in_time' is locked_when_confirmed" in str(err.value)
    assert "only works in an urgent category" in str(err.value)


def test_a_locked_field_of_an_urgent_category_loads(tmp_path: Path) -> None:
    path = tmp_path / "forms.toml"
    path.write_text(FORM.format(urgent="true"), encoding="utf-8")
    forms = load_forms(path)
    assert forms.get("watch").field("in_time").locked_when_confirmed is True


def test_the_fire_form_locks_what_feeds_the_in_time_target() -> None:
    fire = load_forms().get("fire_rescue")
    assert [f.key for f in fire.fields if f.locked_when_confirmed] == ["mobilised", "in_time"]
