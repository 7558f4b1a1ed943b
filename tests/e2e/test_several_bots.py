"""Two Telegram bots in one bot process, one database: each serves one commune.

The real `antt-bot run` against the telegram-test-api emulator with two tokens (the emulator
keeps each token's updates apart). An invite of one commune sent to the other commune's bot
is refused with the right bot's name and nothing is used up; on its own bot it joins; the
province supervisor is served by both bots.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .client import EmulatorUser, next_user_id
from .harness import Emulator, antt_bot, new_bot_token
from .test_field_reports import COMMUNE, ORG_CSV, OTHER_COMMUNE, PROVINCE, TEAM_A, World

pytestmark = pytest.mark.e2e


def token() -> str:
    return new_bot_token()


async def test_two_bots_each_serve_their_commune_and_the_province_uses_both(
    emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db_path, config = tmp_path / "bot.sqlite3", tmp_path / "config.toml"
    config.write_text(
        f"""[database]
path = "{db_path}"
[telegram]
base_url = "{emulator.url}"
poll_interval = 0.05
[reminders]
enabled = false

[[telegram.bots]]
name = "bac-son"
subtree = "{COMMUNE}"
token_env = "E2E_TOKEN_BAC_SON"
bot_username = "antt_bacson_bot"

[[telegram.bots]]
name = "vu-lang"
subtree = "{OTHER_COMMUNE}"
token_env = "E2E_TOKEN_VU_LANG"
bot_username = "antt_vulang_bot"
""",
        encoding="utf-8",
    )
    bac_son, vu_lang = token(), token()
    env = {"E2E_TOKEN_BAC_SON": bac_son, "E2E_TOKEN_VU_LANG": vu_lang}
    bot = antt_bot(config, env, tmp_path / "bot.log")
    request.node.e2e_processes = [bot]
    w = World(tmp_path, config, db_path, bac_son, bot, emulator.url)
    org = tmp_path / "units.csv"
    org.write_text(ORG_CSV, encoding="utf-8")
    w.cli("org", "import", str(org))
    invite = w.cli("invite", "create", "--unit", TEAM_A, "--role", "member").splitlines()
    code = invite[-1].strip()
    assert invite[-2] == f"Link:    https://t.me/antt_bacson_bot?start={code}"
    supervisor = w.cli("invite", "create", "--unit", PROVINCE, "--role", "supervisor")
    boss_code = supervisor.strip().splitlines()[-1]
    bot.start()
    users: list[EmulatorUser] = []
    try:
        await emulator.wait_polling(bac_son, bot=bot)
        await emulator.wait_polling(vu_lang, bot=bot)
        uid = next_user_id()
        wrong = EmulatorUser(emulator.url, vu_lang, first_name="Tú", last_name="Đàm", user_id=uid)
        right = EmulatorUser(emulator.url, bac_son, first_name="Tú", last_name="Đàm", user_id=uid)
        users += [wrong, right]
        await wrong.send(f"/start {code}")
        refused = await wrong.wait_reply("@antt_bacson_bot")
        assert f"gửi lại mã: /start {code}" in refused.text
        assert w.query("SELECT uses_left FROM invites WHERE code = ?", (code,))[0]["uses_left"] == 1
        await right.send(f"/start {code}")
        await right.wait_reply("Họ và tên")

        boss_id = next_user_id()
        boss = EmulatorUser(
            emulator.url, bac_son, first_name="Sơn", last_name="Phạm", user_id=boss_id
        )
        users.append(boss)
        await boss.send(f"/start {boss_code}")
        await boss.wait_reply("Họ và tên")
        await boss.press("Dùng tên")
        await boss.press("Đúng, tham gia")  # the question was edited into the confirmation
        await boss.wait_reply("Chào mừng")
        other = EmulatorUser(
            emulator.url, vu_lang, first_name="Sơn", last_name="Phạm", user_id=boss_id
        )
        users.append(other)
        await other.send("/start")
        await other.wait_reply("Sơn Phạm")
        linked = w.query(
            "SELECT channel FROM identities WHERE user_id = ? ORDER BY channel", (str(boss_id),)
        )
        assert [r["channel"] for r in linked] == ["telegram:bac-son", "telegram:vu-lang"]
    finally:
        for user in users:
            await user.aclose()
        bot.stop()
