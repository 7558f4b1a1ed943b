"""The wizard-shortcut attributes of a forms file (default, on_summary, buttons, suggest/pair,
routine): misused, the file is refused at start-up with a message naming the category, the
field and the attribute; used right, it loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reports.forms import FormError, load_forms

HEAD = """
[[categories]]
key = "watch"
label = { vi = "Canh gác" }
"""

ROUTINE = """
[categories.routine]
keep = {keep}
set = {set}
"""


def field(key: str, type_: str, extra: str = "") -> str:
    """One [[categories.fields]] table."""
    head = f'key = "{key}"\ntype = "{type_}"\nlabel = {{ vi = "{key}" }}'
    return f"\n[[categories.fields]]\n{head}\n{extra}\n"


def shift_fields(start_extra: str = 'suggest = "shifts"\npair = "end"', end_extra: str = "") -> str:
    return field("start", "time", start_extra) + field("end", "time", end_extra)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forms.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The message of the FormError loading this forms file raises."""
    with pytest.raises(FormError) as info:
        load_forms(write(tmp_path, text))
    return str(info.value)


GOOD = (
    HEAD
    + ROUTINE.format(keep='["start", "end", "place", "mates"]', set="{ count = 0 }")
    + field("date", "date", 'default = "today"')
    + shift_fields()
    + field("place", "text")
    + field("mates", "multi_choice", 'choices_from = "team"\nrequired = false')
    + field("count", "integer", "minimum = 0\nmaximum = 10\nbuttons = [0, 1, 2, 3]")
    + field("helped", "yes_no", "default = true")
    + field("note", "text", "required = false\non_summary = true")
)


def test_a_file_using_every_attribute_loads(tmp_path: Path) -> None:
    forms = load_forms(write(tmp_path, GOOD))
    watch = forms.get("watch")
    assert watch.field("date").default == "today"
    assert watch.field("helped").default is True
    assert watch.field("note").on_summary
    assert watch.field("count").buttons == [0, 1, 2, 3]
    assert (watch.field("start").suggest, watch.field("start").pair) == ("shifts", "end")
    assert watch.paired_with("end") is watch.field("start")
    assert watch.routine is not None
    assert watch.routine.keep == ["start", "end", "place", "mates"]
    assert watch.routine.set_ == {"count": 0}
    in_sequence = [f.key for f in watch.fields if f.in_sequence]
    assert in_sequence == ["start", "end", "place", "mates", "count"]


def test_the_default_forms_use_them_and_load() -> None:
    patrol = load_forms().get("patrol")
    assert patrol.routine is not None and patrol.field("start").pair == "end"
    assert patrol.field("incidents").buttons == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        # a bad default: wrong for the field's type
        (field("date", "date", 'default = "yesterday"'), ["'date'", "default", "today"]),
        (field("date", "date", "default = true"), ["'date'", "default", "today"]),
        (field("helped", "yes_no", 'default = "yes"'), ["'helped'", "default", "true or false"]),
        (field("place", "text", 'default = "today"'), ["'place'", "default", "date and yes_no"]),
        (field("count", "integer", "default = true"), ["'count'", "default"]),
        (field("count", "integer", "default = 3"), ["field 'count', default"]),
        # on_summary: optional fields only, and not with a default
        (field("note", "text", "on_summary = true"), ["'note'", "on_summary", "required = false"]),
        (
            field("helped", "yes_no", "required = false\non_summary = true\ndefault = false"),
            ["'helped'", "on_summary", "default"],
        ),
        # buttons: integers within the field's bounds
        (
            field("count", "integer", "minimum = 0\nmaximum = 2\nbuttons = [0, 1, 2, 3]"),
            ["'count'", "button 3", "bounds"],
        ),
        (
            field("count", "integer", "minimum = 1\nbuttons = [0, 1]"),
            ["'count'", "button 0", "bounds"],
        ),
        (field("place", "text", "buttons = [1, 2]"), ["'place'", "buttons", "integer"]),
        (
            field("count", "integer", "buttons = [0, 1, 2, 3, 4, 5, 6, 7, 8]"),
            ["field 'count', buttons", "at most 8"],
        ),
        # suggest and pair: time fields, a pair needs suggest and a later time field
        (field("place", "text", 'suggest = "shifts"'), ["'place'", "suggest", "time"]),
        (field("start", "time", 'suggest = "weather"'), ["field 'start', suggest", "shifts"]),
        (shift_fields('pair = "end"'), ["'start'", "pair", 'suggest = "shifts"']),
        (
            shift_fields('suggest = "shifts"\npair = "finish"'),
            ["'watch'", "'start'", "'finish'", "later field"],
        ),
        (
            field("end", "time") + field("start", "time", 'suggest = "shifts"\npair = "end"'),
            ["'watch'", "'start'", "'end'", "later field"],
        ),
        (
            field("start", "time", 'suggest = "shifts"\npair = "place"') + field("place", "text"),
            ["'watch'", "'place'", "time field"],
        ),
        (
            shift_fields(end_extra="required = false\non_summary = true"),
            ["'watch'", "'end'", "asked in sequence"],
        ),
    ],
)
def test_a_misused_attribute_is_refused(tmp_path: Path, fields: str, words: list[str]) -> None:
    message = refused(tmp_path, HEAD + fields)
    assert "forms.toml: category 'watch'" in message  # which file and category, by key
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("keep", "set_", "unknown"),
    [
        ('["start", "route"]', "{}", "'route'"),
        ('["start"]', "{ incidents = 0 }", "'incidents'"),
    ],
)
def test_a_routine_naming_an_unknown_field_is_refused(
    tmp_path: Path, keep: str, set_: str, unknown: str
) -> None:
    text = HEAD + ROUTINE.format(keep=keep, set=set_) + shift_fields()
    message = refused(tmp_path, text)
    for word in ["'watch'", "routine", unknown, "not one of its fields"]:
        assert word in message, message


def test_a_routine_keeping_nothing_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, HEAD + ROUTINE.format(keep="[]", set="{}") + shift_fields())
    assert "routine, keep" in message, message


def test_suggest_without_pair_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, HEAD + shift_fields('suggest = "shifts"'))
    assert "'start'" in message and "pair" in message


def test_a_routine_setting_a_wrong_value_is_refused(tmp_path: Path) -> None:
    text = (
        HEAD
        + ROUTINE.format(keep='["place"]', set='{ count = "nhiều" }')
        + field("place", "text")
        + field("count", "integer", "minimum = 0")
    )
    message = refused(tmp_path, text)
    assert "'count'" in message and "routine" in message


def test_a_field_error_names_its_category_by_key(tmp_path: Path) -> None:
    message = refused(tmp_path, HEAD + field("note", "text", "on_summary = true"))
    assert "'watch'" in message, message
