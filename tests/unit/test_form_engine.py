"""Pure parts of the dialog engine: which field comes next, deadlines, typed choices, rendering."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.core.dialog import Question, load
from bot.core.engine import remember_choices, resolve
from bot.core.model import Choice, Inbound, Outbound, render_text
from bot.reports.drafts import ReportDraft
from bot.reports.filling import applicable, next_field, own_value, pending_from
from bot.reports.forms import load_forms
from bot.reports.saving import edit_until, split_answers

FORMS = load_forms()
FIRE = FORMS.get("fire_rescue")
PATROL = FORMS.get("patrol")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def keys(fields: list) -> list[str]:  # type: ignore[type-arg]
    return [f.key for f in fields]


def test_conditional_field_counts_until_its_condition_is_known() -> None:
    assert "in_time" in keys(applicable(FIRE, {}))
    assert "in_time" in keys(applicable(FIRE, {"mobilised": True}))
    assert "in_time" not in keys(applicable(FIRE, {"mobilised": False}))
    assert len(applicable(FIRE, {"mobilised": False})) == len(FIRE.fields) - 1


def test_next_field_skips_what_does_not_apply() -> None:
    assert next_field(FIRE, {}, None).key == "kind"  # type: ignore[union-attr]  # date preset
    assert next_field(FIRE, {"mobilised": True}, "mobilised").key == "in_time"  # type: ignore[union-attr]
    assert next_field(FIRE, {"mobilised": False}, "mobilised").key == "people_helped"  # type: ignore[union-attr]
    assert next_field(FIRE, {}, "outcome") is None  # the photos are offered on the summary


def test_edit_deadline_is_the_first_deadline_at_or_after_filing() -> None:
    morning = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    late = datetime(2026, 11, 23, 22, 15, tzinfo=TZ)
    assert edit_until(morning, time(21, 0)) == datetime(2026, 11, 23, 21, 0, tzinfo=TZ)
    assert edit_until(late, time(21, 0)) == datetime(2026, 11, 24, 21, 0, tzinfo=TZ)


def test_split_answers_separates_teammates_and_photos() -> None:
    answers = {"date": "2026-11-23", "teammates": [4, 7], "note": None}
    data, participants, media = split_answers(PATROL, answers)
    assert data == answers and participants == [4, 7] and media == {}
    good = FORMS.get("good_deed")
    data, participants, media = split_answers(good, {"what": "x", "photos": ["tg:a", "tg:b"]})
    assert participants == [] and media == {"photos": ["tg:a", "tg:b"]}


def test_scoped_button_values_belong_to_one_question() -> None:
    traffic = PATROL.field("traffic_help")
    incidents = PATROL.field("incidents")
    assert own_value(traffic, "traffic_help=yes") == "yes"
    assert own_value(incidents, "traffic_help=yes") is None  # stale button of another field
    assert own_value(incidents, "nav:back") == "nav:back"
    assert pending_from("multi_choice", [3, 9]) == ["m3", "m9"]
    assert pending_from("text", "abc") == []


def inbound(text: str | None = None, button: str | None = None) -> Inbound:
    return Inbound("console", "c", "u", "k", text=text, button=button)


def test_typed_numbers_and_labels_resolve_to_the_shown_choices() -> None:
    state = load(
        {"_choices": [["k:patrol", "🚶 Tuần tra"], ["nav:cancel", "✖ Hủy"]], "_free": False}
    )
    assert resolve(inbound("1"), state)[0] == "k:patrol"
    assert resolve(inbound("tuan tra"), state)[0] == "k:patrol"
    assert resolve(inbound("HỦY"), state)[0] == "nav:cancel"
    assert resolve(inbound("1"), state, numbered=False)[0] is None  # Telegram shows no numbers
    assert resolve(inbound(button="x"), state)[0] == "x"
    assert resolve(inbound("/baocao"), state)[0] is None


def test_numeric_questions_take_numbers_as_answers_and_no_prefixes() -> None:
    state = load(
        {
            "_choices": [["nav:back", "◀ Quay lại"], ["nav:cancel", "✖ Hủy"]],
            "_free": True,
            "_numeric": True,
        }
    )
    assert resolve(inbound("1"), state)[0] is None  # "1" incident, not the first button
    assert resolve(inbound("qua"), state)[0] is None  # "hôm qua", not "Quay lại"
    assert resolve(inbound("quay lại"), state)[0] == "nav:back"


def test_text_questions_still_number_their_buttons() -> None:
    state = load(
        {
            "_choices": [["join:use_name", "Dùng tên: Lý Thị Mai"], ["nav:cancel", "✖ Hủy"]],
            "_free": True,
            "_numeric": False,
        }
    )
    assert resolve(inbound("1"), state)[0] == "join:use_name"
    assert resolve(inbound("dùng tên"), state)[0] is None  # a name, not a prefix
    assert resolve(inbound("1"), state, numbered=False)[0] is None


def test_choices_are_remembered_until_a_dialog_ends() -> None:
    state = load({})
    remember_choices(state, [Outbound("q", [[Choice("Có", "yes")]], free_input=False)])
    assert state.question == Question(choices=[("yes", "Có")])
    remember_choices(state, [Outbound("no buttons")])
    assert state.question is None  # idle chat: nothing to map numbers to
    state = load({"flow": ReportDraft.flow})  # imported: the flow is registered on its own
    remember_choices(state, [Outbound("q", [[Choice("Có", "yes")]])])
    remember_choices(state, [Outbound("plain reply")])
    assert state.question == Question(choices=[("yes", "Có")], text="q")  # still the same question


def test_text_rendering_numbers_choices_unless_answers_are_numbers() -> None:
    message = Outbound("Câu hỏi?", [[Choice("Có", "y"), Choice("Không", "n")]])
    assert render_text(message) == "Câu hỏi?\n\n1. Có\n2. Không"
    message.free_input = True
    assert render_text(message) == "Câu hỏi?\n\n1. Có\n2. Không"
    message.numeric_input = True
    assert render_text(message) == "Câu hỏi?\n\n[Có] · [Không]"


def test_command_and_arguments_of_an_inbound_message() -> None:
    assert inbound("/start ABCD2345").command == "start"
    assert inbound("/start ABCD2345").args == "ABCD2345"
    assert inbound("/baocao@antt_bot").command == "baocao"
    assert inbound("xin chào").command is None
