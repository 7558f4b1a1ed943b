"""Configuration and forms files: clear refusals, secrets from the environment, custom forms."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import pytest

from bot.core.config import Config, ConfigError, ReportsSection, load_config
from bot.reports.forms import FormError, load_forms
from tests.support.harness import TEAM_A, make_harness

SECRET = "987654:SUPER-SECRET-TOKEN"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[reports]\ndeadlin = "21:00"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    message = str(err.value)
    assert "reports.deadlin" in message
    assert "unknown key" in message


def test_bad_time_zone_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[bot]\ntimezone = "Asia/Hanoi_City"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert "bot.timezone" in str(err.value)
    assert "unknown time zone 'Asia/Hanoi_City'" in str(err.value)


def test_bad_value_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[reports]\nmax_age_days = -1\ndeadline = "25:00"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert "reports.max_age_days" in str(err.value)
    assert "reports.deadline" in str(err.value)


def test_token_in_the_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", f'[telegram]\ntoken = "{SECRET}"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert "telegram.token" in str(err.value)
    assert "ANTT_TELEGRAM_TOKEN" in str(err.value)
    assert SECRET not in str(err.value)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "c.toml", "[reports\n"), environ={})


def test_token_from_the_environment_is_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[reports]\ndeadline = "20:30"\n')
    config = load_config(path, environ={"ANTT_TELEGRAM_TOKEN": f"  {SECRET}\n"})
    assert config.telegram_token == SECRET
    assert config.reports.deadline.strftime("%H:%M") == "20:30"
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert SECRET not in config.model_dump_json()
    assert SECRET not in json.dumps(config.model_dump(mode="json"))


def test_no_token_without_the_environment() -> None:
    config = load_config(None, environ={})
    assert config.telegram_token is None
    assert config == Config()


BASE = """
[[categories]]
key = "x"
label = { vi = "Thử" }
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            BASE
            + """
[[categories.fields]]
key = "a"
type = "text"
label = { vi = "A" }
[[categories.fields]]
key = "a"
type = "integer"
label = { vi = "A2" }
""",
            "field 'a' appears twice",
        ),
        (
            BASE
            + """
[[categories.fields]]
key = "a"
type = "yes_no"
label = { vi = "A" }
ask_if = { field = "b", equals = [true] }
[[categories.fields]]
key = "b"
type = "yes_no"
label = { vi = "B" }
""",
            "depends on 'b', which must be an earlier field",
        ),
        (
            BASE
            + """
[[categories.fields]]
key = "kind"
type = "choice"
label = { vi = "Loại" }
""",
            "a choice field needs options",
        ),
        (
            BASE
            + """
[[categories.fields]]
key = "n"
type = "integer"
minimum = 10
maximum = 5
label = { vi = "Số" }
""",
            "minimum is above maximum",
        ),
        (
            """
[[categories]]
key = "nil"
label = { vi = "Không có vụ việc" }
[[categories.fields]]
key = "why"
type = "text"
label = { vi = "Vì sao" }
""",
            "category 'nil' is the one-tap",
        ),
        (
            BASE
            + """
[[categories.fields]]
key = "a"
type = "text"
label = { vi = "A" }
colour = "red"
""",
            "colour",
        ),
    ],
    ids=[
        "duplicate-key",
        "ask-if-later",
        "choice-no-options",
        "min-above-max",
        "nil-fields",
        "unknown-key",
    ],
)
def test_bad_forms_are_refused(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "forms.toml", body)
    with pytest.raises(FormError) as err:
        load_forms(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_default_forms_load() -> None:
    forms = load_forms()
    assert [c.key for c in forms.categories] == [
        "patrol",
        "good_deed",
        "fire_rescue",
        "tip",
        "admin_order",
        "reintegration",
        "outreach",
        "nil",
    ]


EXTRA = """

[[categories]]
key = "disaster"
icon = "🌊"
label = { vi = "Phòng chống thiên tai", en = "Disaster relief" }

[[categories.fields]]
key = "date"
type = "date"
label = { vi = "Ngày", en = "Date" }

[[categories.fields]]
key = "households"
type = "integer"
minimum = 0
maximum = 500
label = { vi = "Số hộ được hỗ trợ", en = "Households helped" }
prompt = { vi = "Đã hỗ trợ bao nhiêu hộ dân?", en = "How many households?" }
"""


async def test_custom_forms_file_adds_a_category(tmp_path: Path) -> None:
    default = (importlib.resources.files("bot.reports") / "default_forms.toml").read_text("utf-8")
    forms_file = write(tmp_path, "forms.toml", default + EXTRA)
    config = Config(reports=ReportsSection(forms_file=str(forms_file)))
    h = await make_harness(tmp_path, config=config)
    try:
        await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
        an = h.user(1)
        replies = await an.send("/baocao")
        assert "🌊 Phòng chống thiên tai" in replies[-1].labels()
        await an.press("Phòng chống thiên tai")
        assert an.last_text.startswith("🌊 Phòng chống thiên tai · Bước 1/2")
        await an.press("Hôm nay")
        assert "Bước 2/2" in an.last_text and "Đã hỗ trợ bao nhiêu hộ dân?" in an.last_text
        replies = await an.send("600")
        assert replies[-1].text.startswith("⚠️ Số không được lớn hơn 500.")
        await an.send("12 hộ")
        assert "• Số hộ được hỗ trợ: 12" in an.last_text
        replies = await an.press("Gửi báo cáo")
        assert replies[0].text.startswith(
            "✅ Đã lưu báo cáo BC-2026-000001 (🌊 Phòng chống thiên tai)."
        )
        async with h.db.read() as tx:
            row = await tx.fetchone("SELECT kind, data FROM reports")
        assert row is not None and row["kind"] == "disaster"
        assert json.loads(row["data"]) == {"date": "2026-11-23", "households": 12}
    finally:
        await h.close()


async def test_bad_forms_file_stops_start_up(tmp_path: Path) -> None:
    forms_file = write(tmp_path, "forms.toml", BASE + '\n[[categories.fields]]\nkey = "a"\n')
    config = Config(reports=ReportsSection(forms_file=str(forms_file)))
    with pytest.raises(FormError):
        await make_harness(tmp_path, config=config)
