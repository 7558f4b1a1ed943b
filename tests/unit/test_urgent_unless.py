"""`urgent_unless` in a forms file: a tip its reporter marked "Bình thường" is not pressing;
misused (a kind that is not urgent, a field it does not have, a value the field cannot hold)
the file is refused at start-up naming the category."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config_alerts import EscalationStep
from bot.core.i18n import Texts
from bot.reports.alert_log import render_alert_log
from bot.reports.forms import FormError, load_forms

FORM = """
[[categories]]
key = "tip"
label = {{ vi = "Tin báo" }}
urgent = {urgent}
urgent_unless = {rule}

[[categories.fields]]
key = "urgency"
type = "choice"
label = {{ vi = "Mức độ" }}
options = [
  {{ value = "urgent", label = {{ vi = "Khẩn cấp" }} }},
  {{ value = "normal", label = {{ vi = "Bình thường" }} }},
]
"""
GOOD_RULE = '{ field = "urgency", equals = ["normal"] }'


def load(tmp_path: Path, rule: str, urgent: str = "true") -> object:
    path = tmp_path / "forms.toml"
    path.write_text(FORM.format(rule=rule, urgent=urgent), encoding="utf-8")
    return load_forms(path)


def test_the_default_tip_is_urgent_unless_marked_normal() -> None:
    tip = load_forms().get("tip")
    assert tip.urgent_for({"urgency": "urgent"})
    assert not tip.urgent_for({"urgency": "normal"})
    assert load_forms().get("fire_rescue").urgent_for({})
    assert not load_forms().get("patrol").urgent_for({})


@pytest.mark.parametrize(
    ("rule", "urgent", "words"),
    [
        (GOOD_RULE, "false", "urgent_unless needs urgent = true"),
        ('{ field = "level", equals = ["normal"] }', "true", "names 'level'"),
        ('{ field = "urgency", equals = ["calm"] }', "true", "'calm', which is not a valid"),
    ],
)
def test_misused_urgent_unless_is_refused(
    tmp_path: Path, rule: str, urgent: str, words: str
) -> None:
    with pytest.raises(FormError) as info:
        load(tmp_path, rule, urgent)
    assert "category 'tip'" in str(info.value) and words in str(info.value)


def test_the_alert_line_in_english() -> None:
    ladder = [
        EscalationStep(after_minutes=15, to="commune"),
        EscalationStep(after_minutes=30, to="above"),
    ]
    rows = [
        {
            "full_name": "An",
            "step": 0,
            "status": "sent",
            "sent_at": "2026-11-23T22:01:00+07:00",
            "not_before": "2026-11-23T22:00:00+07:00",
        },
        {
            "full_name": "An",
            "step": 1,
            "status": "unreachable",
            "sent_at": None,
            "not_before": "2026-11-23T22:15:00+07:00",
        },
        {
            "full_name": "Sơn",
            "step": 2,
            "status": "pending",
            "sent_at": None,
            "not_before": "2026-11-23T22:30:00+07:00",
        },
    ]
    line = render_alert_log(rows, Texts.load(), "en", ladder)  # type: ignore[arg-type]
    assert line == (
        "Alerted: An 22:01; not sent yet: Sơn (22:30, level above);"
        " could not be sent: An (22:15, reminder 1)"
    )
