"""Unit tests for bot.core.parsing: accepted forms, error codes, with and without diacritics."""

from __future__ import annotations

import datetime

import pytest

from bot.core.parsing import (
    ParseError,
    fold,
    match_choice,
    parse_date,
    parse_int,
    parse_time,
    parse_yes_no,
)

D = datetime.date
T = datetime.time

TODAY = D(2025, 11, 23)
MAX_AGE = 30


def _date_error(text: str, today: datetime.date = TODAY, max_age_days: int = MAX_AGE) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_date(text, today, max_age_days)
    return info.value


# ---------------------------------------------------------------------------
# ParseError
# ---------------------------------------------------------------------------


class TestParseError:
    def test_is_value_error_with_code_and_params(self) -> None:
        err = ParseError("int_too_small", minimum=3)
        assert isinstance(err, ValueError)
        assert err.code == "int_too_small"
        assert err.params == {"minimum": 3}

    def test_params_default_to_empty_dict(self) -> None:
        err = ParseError("date_invalid")
        assert err.params == {}
        assert str(err) == "date_invalid"

    def test_params_are_a_fresh_dict(self) -> None:
        a = ParseError("x")
        b = ParseError("x")
        a.params["k"] = 1
        assert b.params == {}

    def test_repr_mentions_code(self) -> None:
        assert "date_too_old" in repr(ParseError("date_too_old", max_age_days=7))


# ---------------------------------------------------------------------------
# fold
# ---------------------------------------------------------------------------


class TestFold:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("  Hôm   NAY ", "hom nay"),
            ("Đã tiếp nhận", "da tiep nhan"),
            ("đ Đ", "d d"),
            ("Tuần tra", "tuan tra"),
            ("Không", "khong"),
            ("ỪM", "um"),
            ("Được", "duoc"),
            ("Rưỡi", "ruoi"),
            ("Ấp Bắc, Quận Ẩn", "ap bac, quan an"),
            ("ơ ư ă â ê ô", "o u a a e o"),
            ("ạ ả ã à á", "a a a a a"),
            ("plain ascii", "plain ascii"),
            ("", ""),
            ("   ", ""),
            ("a\tb\nc\u00a0d", "a b c d"),
        ],
    )
    def test_fold(self, text: str, expected: str) -> None:
        assert fold(text) == expected

    def test_decomposed_input_folds_like_precomposed(self) -> None:
        decomposed = "Ti\u0065\u0302\u0301p nha\u0323\u0302n"  # "Tiếp nhận" typed as NFD
        assert fold(decomposed) == fold("Tiếp nhận") == "tiep nhan"

    def test_keeps_digits_and_punctuation(self) -> None:
        assert fold("Ngày 21/11/2025!") == "ngay 21/11/2025!"

    def test_idempotent(self) -> None:
        once = fold("  Đội   Tuần TRA  ")
        assert fold(once) == once


# ---------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------


class TestParseDateKeywords:
    @pytest.mark.parametrize(
        "text",
        [
            "hôm nay",
            "hom nay",
            "nay",
            "today",
            "Hôm Nay",
            "HOM NAY",
            "  hôm   nay  ",
            "Today",
            "ngày hôm nay",
            "hôm nay.",
        ],
    )
    def test_today(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == TODAY

    @pytest.mark.parametrize(
        "text",
        ["hôm qua", "hom qua", "qua", "yesterday", "Hôm qua", "HÔM QUA", "ngày hôm qua"],
    )
    def test_yesterday(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == D(2025, 11, 22)

    @pytest.mark.parametrize("text", ["hôm kia", "hom kia", "Hôm Kia", "ngay hom kia"])
    def test_day_before_yesterday(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == D(2025, 11, 21)

    def test_yesterday_across_year_boundary(self) -> None:
        assert parse_date("hôm qua", D(2026, 1, 1), MAX_AGE) == D(2025, 12, 31)

    def test_day_before_yesterday_across_month_boundary(self) -> None:
        assert parse_date("hôm kia", D(2025, 3, 1), MAX_AGE) == D(2025, 2, 27)

    def test_day_before_yesterday_across_leap_february(self) -> None:
        assert parse_date("hom kia", D(2024, 3, 1), MAX_AGE) == D(2024, 2, 28)

    def test_today_allowed_with_zero_max_age(self) -> None:
        assert parse_date("hôm nay", TODAY, 0) == TODAY

    def test_yesterday_too_old_with_zero_max_age(self) -> None:
        err = _date_error("hôm qua", max_age_days=0)
        assert err.code == "date_too_old"
        assert err.params == {"max_age_days": 0}

    def test_day_before_yesterday_too_old_with_max_age_one(self) -> None:
        assert _date_error("hôm kia", max_age_days=1).code == "date_too_old"


class TestParseDateNumeric:
    @pytest.mark.parametrize(
        "text",
        [
            "21/11",
            "21-11",
            "21.11",
            "21/11/2025",
            "21-11-2025",
            "21.11.2025",
            "21/11/25",
            "21-11-25",
            "21.11.25",
            "ngày 21/11",
            "Ngày 21/11/2025",
            "ngay 21/11",
            "NGÀY 21-11-25",
            "ngày: 21/11",
            "vào ngày 21/11",
            " 21 / 11 / 2025 ",
            "21/11.",
        ],
    )
    def test_accepted_forms(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == D(2025, 11, 21)

    @pytest.mark.parametrize("text", ["5/11", "05/11", "5/11/2025", "05/11/25", "5-11", "5.11"])
    def test_single_and_padded_digits(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == D(2025, 11, 5)

    @pytest.mark.parametrize("text", ["1/9", "01/09", "1.9.2025", "01-09-25"])
    def test_single_digit_month(self, text: str) -> None:
        assert parse_date(text, D(2025, 9, 15), MAX_AGE) == D(2025, 9, 1)

    @pytest.mark.parametrize(
        "text", ["21 tháng 11", "ngày 21 tháng 11", "21 thang 11 nam 2025", "21 tháng 11, 2025"]
    )
    def test_wordy_form(self, text: str) -> None:
        assert parse_date(text, TODAY, MAX_AGE) == D(2025, 11, 21)

    def test_today_by_number(self) -> None:
        assert parse_date("23/11", TODAY, MAX_AGE) == TODAY

    def test_two_digit_year_is_2000_based(self) -> None:
        assert parse_date("01/01/26", D(2026, 1, 5), MAX_AGE) == D(2026, 1, 1)

    def test_no_year_30_12_in_early_january_is_last_year(self) -> None:
        assert parse_date("30/12", D(2026, 1, 5), MAX_AGE) == D(2025, 12, 30)

    def test_no_year_31_12_on_1_january(self) -> None:
        assert parse_date("31/12", D(2026, 1, 1), MAX_AGE) == D(2025, 12, 31)

    def test_no_year_1_1_on_1_january_is_today(self) -> None:
        assert parse_date("1/1", D(2026, 1, 1), MAX_AGE) == D(2026, 1, 1)

    def test_explicit_last_year_across_boundary(self) -> None:
        assert parse_date("30/12/2025", D(2026, 1, 5), MAX_AGE) == D(2025, 12, 30)
        assert parse_date("30/12/25", D(2026, 1, 5), MAX_AGE) == D(2025, 12, 30)

    def test_month_boundary(self) -> None:
        today = D(2025, 3, 2)
        assert parse_date("28/2", today, MAX_AGE) == D(2025, 2, 28)
        assert parse_date("1/3", today, MAX_AGE) == D(2025, 3, 1)
        assert parse_date("31/1", today, MAX_AGE) == D(2025, 1, 31)

    def test_month_boundary_31_day_month(self) -> None:
        assert parse_date("31/10", D(2025, 11, 1), MAX_AGE) == D(2025, 10, 31)

    def test_no_year_later_this_year_is_refused_as_in_the_future(self) -> None:
        # 24/11 has not happened yet this year and last year's is past the age limit: the
        # member meant this year's, so it is in the future (not "older than 7 days").
        assert _date_error("24/11").code == "date_future"
        assert _date_error("30/12").code == "date_future"
        # With a limit that reaches last year's date, that date is meant.
        assert parse_date("24/11", TODAY, 400) == D(2024, 11, 24)

    def test_a_date_beyond_the_age_limit_keeps_its_message(self) -> None:
        assert _date_error("01/10").code == "date_too_old"


class TestParseDateLeapDay:
    def test_leap_day_with_year_in_leap_year(self) -> None:
        assert parse_date("29/02/2024", D(2024, 3, 1), MAX_AGE) == D(2024, 2, 29)
        assert parse_date("29/2/24", D(2024, 3, 1), MAX_AGE) == D(2024, 2, 29)

    def test_leap_day_without_year_in_leap_year(self) -> None:
        assert parse_date("29/02", D(2024, 3, 1), MAX_AGE) == D(2024, 2, 29)
        assert parse_date("29/2", D(2024, 2, 29), MAX_AGE) == D(2024, 2, 29)

    def test_leap_day_with_year_in_non_leap_year_is_invalid(self) -> None:
        assert _date_error("29/02/2025", today=D(2025, 3, 1)).code == "date_invalid"
        assert _date_error("29/2/25", today=D(2025, 3, 1)).code == "date_invalid"

    def test_leap_day_without_year_in_non_leap_year_is_invalid(self) -> None:
        assert _date_error("29/02", today=D(2025, 3, 1)).code == "date_invalid"

    def test_leap_day_without_year_before_it_resolves_to_previous_leap_year(self) -> None:
        # On 10/02/2025, 29/02 has not come yet, so it refers to 29/02/2024.
        assert parse_date("29/02", D(2025, 2, 10), 400) == D(2024, 2, 29)
        assert _date_error("29/02", today=D(2025, 2, 10)).code == "date_too_old"

    def test_leap_day_without_year_before_it_when_last_year_not_leap(self) -> None:
        # On 10/02/2026, the candidate year is 2025, which has no 29/02.
        assert _date_error("29/02", today=D(2026, 2, 10), max_age_days=400).code == "date_invalid"

    def test_leap_day_century_rules(self) -> None:
        assert parse_date("29/02/2000", D(2000, 3, 1), MAX_AGE) == D(2000, 2, 29)
        assert _date_error("29/02/2100", today=D(2100, 3, 1)).code == "date_invalid"


class TestParseDateErrors:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "abc",
            "hôm trước",
            "mai",
            "ngày mai",
            "21",
            "2111",
            "21/",
            "/11",
            "21//11",
            "21/11/",
            "21/11/202",
            "21/11/20255",
            "21/11-2025",
            "21/11 2025",
            "123/11",
            "21/123",
            "21/11 hôm qua",
            "x21/11",
            "21/11/2025/1",
            "kia",
        ],
    )
    def test_unparseable(self, text: str) -> None:
        err = _date_error(text)
        assert err.code == "date_invalid"
        assert err.params == {}

    @pytest.mark.parametrize(
        "text",
        [
            "31/02",
            "30/02",
            "31/04",
            "31/06",
            "31/09",
            "31/11",
            "32/01",
            "0/5",
            "00/05",
            "5/0",
            "5/13",
            "15/00",
            "31/02/2024",
            "32/12/2025",
        ],
    )
    def test_impossible_dates(self, text: str) -> None:
        assert _date_error(text).code == "date_invalid"

    @pytest.mark.parametrize(
        "text",
        ["24/11/2025", "24/11/25", "01/12/2025", "1/1/2026", "23/11/2026", "ngày 24/11/2025"],
    )
    def test_future(self, text: str) -> None:
        err = _date_error(text)
        assert err.code == "date_future"
        assert err.params == {}

    def test_future_takes_priority_over_age(self) -> None:
        assert _date_error("1/1/2030", max_age_days=0).code == "date_future"

    def test_too_old_param(self) -> None:
        err = _date_error("1/1/2025", max_age_days=7)
        assert err.code == "date_too_old"
        assert err.params == {"max_age_days": 7}

    def test_age_limit_is_inclusive(self) -> None:
        # TODAY is 23/11/2025; exactly 30 days before is 24/10/2025.
        assert parse_date("24/10", TODAY, 30) == D(2025, 10, 24)
        assert _date_error("23/10", max_age_days=30).code == "date_too_old"

    def test_invalid_takes_priority_over_age(self) -> None:
        assert _date_error("31/02/2000", max_age_days=0).code == "date_invalid"

    def test_year_zero_is_invalid(self) -> None:
        assert _date_error("1/1/0000").code == "date_invalid"


# ---------------------------------------------------------------------------
# parse_time
# ---------------------------------------------------------------------------


class TestParseTime:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("7:30", T(7, 30)),
            ("07:30", T(7, 30)),
            ("7 : 30", T(7, 30)),
            ("7h30", T(7, 30)),
            ("7H30", T(7, 30)),
            ("7 h 30", T(7, 30)),
            ("7h", T(7, 0)),
            ("07h", T(7, 0)),
            ("7 giờ 30", T(7, 30)),
            ("7 gio 30", T(7, 30)),
            ("7 GIỜ 30", T(7, 30)),
            ("7giờ30", T(7, 30)),
            ("7 giờ", T(7, 0)),
            ("7 gio", T(7, 0)),
            ("7 giờ 30 phút", T(7, 30)),
            ("7 gio 30 phut", T(7, 30)),
            ("7h30p", T(7, 30)),
            ("7h30 phút", T(7, 30)),
            ("7h5", T(7, 5)),
            ("7h05", T(7, 5)),
            ("19g30", T(19, 30)),
            ("19G30", T(19, 30)),
            ("19g", T(19, 0)),
            ("19.30", T(19, 30)),
            ("1930", T(19, 30)),
            ("0730", T(7, 30)),
            ("730", T(7, 30)),
            ("0000", T(0, 0)),
            ("7", T(7, 0)),
            ("07", T(7, 0)),
            ("0", T(0, 0)),
            ("23:59", T(23, 59)),
            ("00:00", T(0, 0)),
            ("0h", T(0, 0)),
            ("12h", T(12, 0)),
            ("  19:30  ", T(19, 30)),
            ("lúc 7h30", T(7, 30)),
            ("luc 19:30", T(19, 30)),
            ("7 giờ rưỡi", T(7, 30)),
            ("7h ruoi", T(7, 30)),
            ("8 giờ kém 15", T(7, 45)),
            ("8h kem 15 phut", T(7, 45)),
            ("0 giờ 30", T(0, 30)),
            ("19:30.", T(19, 30)),
        ],
    )
    def test_accepted(self, text: str, expected: datetime.time) -> None:
        assert parse_time(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "abc",
            "sáng",
            "24:00",
            "24h",
            "25",
            "7:60",
            "7h60",
            "7 giờ 75 phút",
            "2460",
            "1960",
            "19.5",
            "7:5",
            "7:",
            ":30",
            "7h30h",
            "12345",
            "7 30",
            "-7",
            "7,30",
            "15h sáng",
            "0 giờ chiều",
            "8h trưa",
            "tối",
            "25h tối",
            "7:75 tối",
            "0 giờ kém 15",
            "8 giờ kém 0",
            "8 giờ kém 60",
            "24 giờ kém 15",
        ],
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(ParseError) as info:
            parse_time(text)
        assert info.value.code == "time_invalid"
        assert info.value.params == {}

    def test_100_is_one_oclock(self) -> None:
        # Three compact digits read as H MM: "100" is 01:00, not a hundred hours.
        assert parse_time("100") == T(1, 0)


# ---------------------------------------------------------------------------
# parse_yes_no
# ---------------------------------------------------------------------------


class TestParseYesNo:
    @pytest.mark.parametrize(
        "text",
        [
            "có",
            "co",
            "Có",
            "CÓ",
            "c",
            "C",
            "yes",
            "Yes",
            "YES",
            "y",
            "Y",
            "ừ",
            "u",
            "Ừ",
            "uh",
            "ừm",
            "đúng",
            "dung",
            "Đúng",
            "rồi",
            "roi",
            "ok",
            "OK",
            "Ok",
            "oke",
            "okay",
            "được",
            "duoc",
            "ĐƯỢC",
            "vâng",
            "dạ",
            "có ạ",
            "dạ có",
            "dạ vâng",
            "đúng rồi",
            "có!",
            " có ",
            "ok.",
        ],
    )
    def test_yes(self, text: str) -> None:
        assert parse_yes_no(text) is True

    @pytest.mark.parametrize(
        "text",
        [
            "không",
            "khong",
            "Không",
            "KHÔNG",
            "k",
            "K",
            "ko",
            "KO",
            "kh",
            "no",
            "No",
            "NO",
            "n",
            "N",
            "chưa",
            "chua",
            "Chưa",
            "sai",
            "Sai",
            "không có",
            "chưa có",
            "không ạ",
            "dạ không",
            "dạ chưa ạ",
            "ko!",
            " không ",
        ],
    )
    def test_no(self, text: str) -> None:
        assert parse_yes_no(text) is False

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "  ",
            "1",
            "0",
            "2",
            "12",
            "maybe",
            "có lẽ",
            "có không",
            "khong biet",
            "yesno",
            "?",
            "ạ",
            "dạ dạ",
        ],
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(ParseError) as info:
            parse_yes_no(text)
        assert info.value.code == "yes_no_invalid"
        assert info.value.params == {}


# ---------------------------------------------------------------------------
# parse_int
# ---------------------------------------------------------------------------


class TestParseInt:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("12", 12),
            (" 12 ", 12),
            ("0", 0),
            ("007", 7),
            ("1.000", 1000),
            ("1,000", 1000),
            ("12.345.678", 12345678),
            ("12,345,678", 12345678),
            ("1000", 1000),
            ("12 người", 12),
            ("12 nguoi", 12),
            ("12 NGƯỜI", 12),
            ("12người", 12),
            ("3 vụ việc", 3),
            ("1.000 người", 1000),
            ("1,000 lượt", 1000),
            ("-3", -3),
            ("- 3", -3),
            ("\u22123", -3),
            ("+5", 5),
            ("12.", 12),
            ("-1.000", -1000),
        ],
    )
    def test_accepted(self, text: str, expected: int) -> None:
        assert parse_int(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "  ",
            "abc",
            "không biết",
            "hai mươi mười",
            "một trăm",
            "người 12",
            "1,5",
            "1.5",
            "1.00",
            "1.0000",
            "1,000.000",
            "1.000,5",
            "3-5",
            "3 - 5",
            "3 5",
            "--3",
            "1 000",
            "12/11",
            "khoảng 12",
            "-",
            ".5",
        ],
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(ParseError) as info:
            parse_int(text)
        assert info.value.code == "int_invalid"
        assert info.value.params == {}

    def test_bounds_inclusive(self) -> None:
        assert parse_int("0", minimum=0, maximum=10) == 0
        assert parse_int("10", minimum=0, maximum=10) == 10

    def test_too_small(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int("-3", minimum=0)
        assert info.value.code == "int_too_small"
        assert info.value.params == {"minimum": 0}

    def test_too_large(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int("1.000 người", minimum=0, maximum=500)
        assert info.value.code == "int_too_large"
        assert info.value.params == {"maximum": 500}

    def test_negative_allowed_without_minimum(self) -> None:
        assert parse_int("-3", maximum=10) == -3

    def test_negative_bounds(self) -> None:
        assert parse_int("-3", minimum=-5) == -3
        with pytest.raises(ParseError) as info:
            parse_int("-6", minimum=-5)
        assert info.value.params == {"minimum": -5}

    def test_invalid_reported_before_bounds(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int("abc", minimum=0, maximum=1)
        assert info.value.code == "int_invalid"


# ---------------------------------------------------------------------------
# match_choice
# ---------------------------------------------------------------------------

ACTIVITIES: list[tuple[str, str]] = [
    ("patrol", "🚶 Tuần tra"),
    ("checkpoint", "🚧 Chốt trực"),
    ("mediation", "🤝 Hòa giải mâu thuẫn"),
    ("other", "Khác"),
]


class TestMatchChoice:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1", "patrol"),
            ("2", "checkpoint"),
            ("2.", "checkpoint"),
            (" 2 ", "checkpoint"),
            ("3)", "mediation"),
            ("4", "other"),
            ("04", "other"),
        ],
    )
    def test_by_number(self, text: str, expected: str) -> None:
        assert match_choice(text, ACTIVITIES) == expected

    @pytest.mark.parametrize("text", ["0", "5", "99", "-1", "1.5"])
    def test_number_out_of_range(self, text: str) -> None:
        assert match_choice(text, ACTIVITIES) is None

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("patrol", "patrol"),
            ("PATROL", "patrol"),
            (" Checkpoint ", "checkpoint"),
            ("Other", "other"),
        ],
    )
    def test_by_value(self, text: str, expected: str) -> None:
        assert match_choice(text, ACTIVITIES) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("🚶 Tuần tra", "patrol"),  # exact button text
            ("Tuần tra", "patrol"),
            ("tuan tra", "patrol"),
            ("TUẦN TRA", "patrol"),
            ("  tuan   tra ", "patrol"),
            ("chốt trực", "checkpoint"),
            ("chot truc", "checkpoint"),
            ("hoa giai mau thuan", "mediation"),
            ("Khác", "other"),
            ("khac", "other"),
            ("tuan tra!", "patrol"),
        ],
    )
    def test_by_label(self, text: str, expected: str) -> None:
        assert match_choice(text, ACTIVITIES) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("tua", "patrol"),
            ("tuần", "patrol"),
            ("chot", "checkpoint"),
            ("Chốt", "checkpoint"),
            ("hoa gi", "mediation"),
            ("hòa", "mediation"),
            ("kha", "other"),
        ],
    )
    def test_by_prefix(self, text: str, expected: str) -> None:
        assert match_choice(text, ACTIVITIES) == expected

    @pytest.mark.parametrize("text", ["tu", "ch", "k", "kh"])
    def test_prefix_too_short(self, text: str) -> None:
        assert match_choice(text, ACTIVITIES) is None

    @pytest.mark.parametrize(
        ("text", "expected"), [("tra", "patrol"), ("giai", "mediation"), ("mau thuan", "mediation")]
    )
    def test_by_a_word_of_the_label(self, text: str, expected: str) -> None:
        assert match_choice(text, ACTIVITIES) == expected

    @pytest.mark.parametrize("text", ["", "   ", "xyz", "tuan tra dem", "🚶", "uan"])
    def test_no_match(self, text: str) -> None:
        assert match_choice(text, ACTIVITIES) is None

    def test_empty_options(self) -> None:
        assert match_choice("1", []) is None
        assert match_choice("tuan tra", []) is None

    def test_ambiguous_prefix(self) -> None:
        options = [("day", "Tuần tra ban ngày"), ("night", "Tuần tra ban đêm")]
        assert match_choice("tuan", options) is None
        assert match_choice("tuần tra ban", options) is None
        assert match_choice("tuan tra ban d", options) == "night"
        assert match_choice("tuan tra ban n", options) == "day"

    def test_exact_label_beats_prefix_ambiguity(self) -> None:
        options = [("patrol", "Tuần tra"), ("night", "Tuần tra đêm")]
        assert match_choice("tuan tra", options) == "patrol"
        assert match_choice("tuần tra đêm", options) == "night"
        assert match_choice("tuan tra d", options) == "night"
        assert match_choice("tuan", options) is None

    def test_ambiguous_duplicate_labels_after_folding(self) -> None:
        # "Hòa" and "Hoa" fold to the same text: refuse to guess.
        options = [("a", "Hòa"), ("b", "Hoa")]
        assert match_choice("hoa", options) is None
        assert match_choice("1", options) == "a"
        assert match_choice("2", options) == "b"

    def test_value_beats_label(self) -> None:
        options = [("khac", "Tuần tra"), ("x", "Khác")]
        assert match_choice("khac", options) == "khac"

    def test_number_beats_numeric_label(self) -> None:
        options = [("a", "2"), ("b", "1")]
        assert match_choice("1", options) == "a"

    def test_value_with_diacritics_is_case_insensitive(self) -> None:
        options = [("Đêm", "Ca đêm"), ("Ngày", "Ca ngày")]
        assert match_choice("đêm", options) == "Đêm"
        assert match_choice("ĐÊM", options) == "Đêm"

    def test_label_with_trailing_emoji(self) -> None:
        options = [("ok", "Hoàn thành ✅"), ("no", "Chưa xong ❌")]
        assert match_choice("hoan thanh", options) == "ok"
        assert match_choice("Chưa xong ❌", options) == "no"

    def test_label_with_leading_punctuation(self) -> None:
        options = [("a", "- Báo cáo ngày"), ("b", "• Báo động")]
        assert match_choice("bao cao ngay", options) == "a"
        assert match_choice("bao dong", options) == "b"
        assert match_choice("bao", options) is None

    def test_accepts_tuple_sequence(self) -> None:
        options = (("a", "Một"), ("b", "Hai"))
        assert match_choice("mot", options) == "a"
        assert match_choice("2", options) == "b"


class TestHugeNumbers:
    """Python's int() refuses strings past 4,300 digits: parsers must never hand them over."""

    HUGE = "9" * 5000

    def test_parse_int_refuses_a_huge_number_as_too_large(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int(self.HUGE, 0, 100)
        assert info.value.code == "int_too_large" and info.value.params == {"maximum": 100}

    def test_parse_int_refuses_a_huge_negative_number_as_too_small(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int("-" + self.HUGE, 0, 100)
        assert info.value.code == "int_too_small"

    def test_unbounded_huge_number_is_invalid(self) -> None:
        with pytest.raises(ParseError) as info:
            parse_int(self.HUGE + " người")
        assert info.value.code == "int_invalid"

    def test_leading_zeros_do_not_count(self) -> None:
        assert parse_int("0" * 5000 + "7", 0, 100) == 7

    def test_eighteen_digits_still_parse(self) -> None:
        assert parse_int("9" * 18) == 10**18 - 1

    def test_a_huge_number_is_no_list_number(self) -> None:
        assert match_choice(self.HUGE, [("a", "Một"), ("b", "Hai")]) is None

    @pytest.mark.parametrize("text", [HUGE, "٣", "²", "12345"])
    def test_only_short_ascii_numbers_pick_from_a_list(self, text: str) -> None:
        assert match_choice(text, [("a", "Một"), ("b", "Hai"), ("c", "Ba")]) is None

    def test_other_parsers_refuse_quickly(self) -> None:
        today = datetime.date(2026, 11, 23)
        for parse in (lambda t: parse_date(t, today, 7), parse_time, parse_yes_no):
            with pytest.raises(ParseError):
                parse(self.HUGE)
