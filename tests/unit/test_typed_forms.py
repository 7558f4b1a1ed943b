"""Every typed form of the issue's item 3: times, time ranges, counts in words, name parts."""

from __future__ import annotations

import datetime

import pytest

from bot.core.parsing import (
    ParseError,
    choice_candidates,
    match_choice,
    parse_int,
    parse_time,
    parse_time_range,
    parse_yes_no,
)

T = datetime.time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19h", T(19, 0)),
        ("19h30", T(19, 30)),
        ("19 giờ", T(19, 0)),
        ("19g30", T(19, 30)),
        ("7 giờ tối", T(19, 0)),
        ("7 gio toi", T(19, 0)),
        ("8h sáng", T(8, 0)),
        ("7:30 tối", T(19, 30)),
        ("7 giờ rưỡi", T(7, 30)),
        ("7 giờ rưỡi tối", T(19, 30)),
        ("7h chiều", T(19, 0)),
        ("3h chiều", T(15, 0)),
        ("12h trưa", T(12, 0)),
        ("1 giờ trưa", T(13, 0)),
        ("trưa", T(12, 0)),
        ("12 giờ đêm", T(0, 0)),
        ("nửa đêm", T(0, 0)),
        ("11 giờ đêm", T(23, 0)),
        ("2 giờ đêm", T(2, 0)),
        ("12 giờ tối", T(0, 0)),
        ("12h chiều", T(12, 0)),
        ("19h tối", T(19, 0)),
        ("lúc 7h tối nay", T(19, 0)),
        ("tối 7h30", T(19, 30)),
        ("buổi tối 8 giờ", T(20, 0)),
        ("8 giờ kém 15 tối", T(19, 45)),
        ("10h sáng", T(10, 0)),
    ],
)
def test_times_as_people_write_them(text: str, expected: datetime.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["15h sáng", "tối", "sáng nay", "19h-21h", "7h tối mai"])
def test_nonsense_times_are_refused(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_time(text)
    assert info.value.code == "time_invalid"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("19h-21h", T(19, 0), T(21, 0)),
        ("19:00 – 21:00", T(19, 0), T(21, 0)),
        ("19:00-21:30", T(19, 0), T(21, 30)),
        ("từ 19h đến 21h", T(19, 0), T(21, 0)),
        ("7h tối - 9h tối", T(19, 0), T(21, 0)),
        ("7-9h tối", T(19, 0), T(21, 0)),
        ("7h30 — 9 giờ tối", T(19, 30), T(21, 0)),
        ("8h sáng - 11h", T(8, 0), T(11, 0)),
        ("22h-2h", T(22, 0), T(2, 0)),  # past midnight: the caller decides
    ],
)
def test_time_ranges(text: str, start: datetime.time, end: datetime.time) -> None:
    assert parse_time_range(text) == (start, end)


@pytest.mark.parametrize("text", ["19h", "19h-", "-21h", "19h-21h-23h", "tối nay", "19h-25h"])
def test_bad_time_ranges_are_refused(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_time_range(text)
    assert info.value.code == "time_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("không", 0),
        ("khong", 0),
        ("ko", 0),
        ("k", 0),
        ("0", 0),
        ("Không có", 0),
        ("một", 1),
        ("mốt", 1),
        ("hai", 2),
        ("ba người", 3),
        ("bốn", 4),
        ("tư", 4),
        ("năm", 5),
        ("sáu", 6),
        ("bảy", 7),
        ("tám", 8),
        ("chín", 9),
        ("mười", 10),
        ("mười một", 11),
        ("mười lăm", 15),
        ("mười năm", 15),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("hai mươi tư", 24),
        ("ba mươi lăm", 35),
        ("chín mươi chín", 99),
        ("1 000", None),
        ("1.000", 1000),
    ],
)
def test_counts_in_words(text: str, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(ParseError):
            parse_int(text)
    else:
        assert parse_int(text) == expected


def test_counts_in_words_keep_the_bounds() -> None:
    with pytest.raises(ParseError) as info:
        parse_int("chín mươi chín", 0, 50)
    assert info.value.code == "int_too_large" and info.value.params == {"maximum": 50}


@pytest.mark.parametrize("text", ["lăm", "một mươi", "không biết", "hai ba", "ba k"])
def test_words_that_are_not_a_count_are_refused(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_int(text)
    assert info.value.code == "int_invalid"


def test_yes_no_keeps_its_own_reading_of_khong() -> None:
    assert parse_yes_no("không") is False
    assert parse_yes_no("ko") is False


TEAM = [
    ("m1", "▫️ Trần Thị Bình"),
    ("m2", "▫️ Lê Văn Bình"),
    ("m3", "▫️ Nguyễn Văn An"),
    ("m4", "▫️ Hoàng Thị Lan"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("an", "m3"), ("lan", "m4"), ("hoang", "m4"), ("thi binh", "m1"), ("nguyen", "m3")],
)
def test_a_unique_part_of_a_name(text: str, expected: str) -> None:
    assert match_choice(text, TEAM) == expected


def test_a_part_shared_by_two_names_is_ambiguous_and_both_are_named() -> None:
    assert match_choice("binh", TEAM) is None
    assert choice_candidates("binh", TEAM) == ["m1", "m2"]
    assert choice_candidates("van", TEAM) == ["m2", "m3"]


def test_a_part_of_a_label_needs_a_button_only_question() -> None:
    # On questions that also take free text, "lại" must never press "Quay lại".
    assert match_choice("lai", [("nav:back", "◀ Quay lại")], prefix=False) is None
