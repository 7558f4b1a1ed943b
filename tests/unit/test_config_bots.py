"""`[[telegram.bots]]` / `[[zalo.bots]]`: what a config listing several bots may say, the
error naming the key when it is wrong, which bot serves a unit, and the invite link the
command line prints for a unit of each bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.bots import BotRoute, Router, messenger_of
from bot.core.config import ConfigError, load_config
from tests.unit.test_cli import cli, write_config

ENV = {"TOKEN_A": "111:AAA", "TOKEN_B": "222:BBB"}


def bots(*tables: str, head: str = "") -> str:
    return head + "".join(f"\n[[telegram.bots]]\n{table}\n" for table in tables)


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, dict(ENV if env is None else env))


A = 'name = "lang-son"\nsubtree = "Tỉnh Lạng Sơn"\ntoken_env = "TOKEN_A"'
B = 'name = "cao-bang"\nsubtree = "Tỉnh Cao Bằng"\ntoken_env = "TOKEN_B"'


def test_two_bots_load_with_their_tokens_from_the_named_variables(tmp_path: Path) -> None:
    config = load(tmp_path, bots(A, B))
    listed = config.telegram.bots  # type: ignore[attr-defined]
    assert [(b.name, b.subtree) for b in listed] == [
        ("lang-son", "Tỉnh Lạng Sơn"),
        ("cao-bang", "Tỉnh Cao Bằng"),
    ]
    assert [b.token.get_secret_value() for b in listed] == ["111:AAA", "222:BBB"]
    assert config.telegram_token is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        (bots(A, A.replace("Lạng Sơn", "Hà Giang")), None, "telegram.bots[1].name: 'lang-son'"),
        (
            bots(A, B.replace("Cao Bằng", "Lạng Sơn")),
            None,
            "telegram.bots[1].subtree: 'Tỉnh Lạng Sơn' is already served by 'lang-son'",
        ),
        (bots(A, B.replace("TOKEN_B", "TOKEN_A")), None, "telegram.bots[1].token_env: TOKEN_A"),
        (bots(A + '\ntoken = "111:AAA"'), None, "telegram.bots[0].token: never put a bot token"),
        (bots(A.replace("lang-son", "Lạng Sơn")), None, "is not a short name"),
        (bots(A.replace('"TOKEN_A"', '"111:AAA"')), None, "never the token itself"),
        (bots(A.replace("Tỉnh Lạng Sơn", "Tỉnh A//Xã B")), None, "is not a unit path"),
        (bots(A + "\nsend_rate = 0"), None, "telegram.bots.0.send_rate"),
        (bots(A + "\ncolour = 1"), None, "telegram.bots.0.colour: unknown key"),
    ],
)
def test_a_wrong_bot_list_names_the_key_and_what_to_do(
    tmp_path: Path, text: str, env: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text, env)
    assert message in str(err.value)


def test_run_refuses_a_listed_bot_without_its_token_but_admin_commands_run(
    tmp_path: Path,
) -> None:
    write_config(tmp_path, bots(A, B))
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    only_a = {"TOKEN_A": "111:AAA"}
    assert cli(tmp_path, "org", "import", "org.csv", env=only_a).returncode == 0
    run = cli(tmp_path, "run", env=only_a)
    assert run.returncode == 2
    assert (
        "antt-bot: telegram.bots[1].token_env: set the environment variable TOKEN_B to the "
        "token of bot 'cao-bang'"
    ) in run.stderr
    assert "111:AAA" not in run.stdout + run.stderr


def test_a_whole_tree_bot_beside_the_single_bot_is_ambiguous(tmp_path: Path) -> None:
    whole = 'name = "ca-nuoc"\nsubtree = ""\ntoken_env = "TOKEN_A"'
    with pytest.raises(ConfigError) as err:
        load(tmp_path, bots(whole), {**ENV, "ANTT_TELEGRAM_TOKEN": "999:ZZZ"})
    assert "telegram.bots[0].subtree: the whole tree is already served by the [telegram] bot" in (
        str(err.value)
    )


def test_zalo_bots_are_listed_the_same_way(tmp_path: Path) -> None:
    text = '[[zalo.bots]]\nname = "lang-son"\nsubtree = "Tỉnh Lạng Sơn"\ntoken_env = "TOKEN_A"\n'
    config = load(tmp_path, text)
    assert Router.of(config).route("zalo:lang-son") == BotRoute(  # type: ignore[arg-type]
        "zalo:lang-son", "Tỉnh Lạng Sơn"
    )


def test_the_deepest_subtree_serves_and_a_unit_above_may_use_every_bot_below() -> None:
    router = Router(
        [
            BotRoute("telegram", ""),
            BotRoute("telegram:ls", "Tỉnh LS", "ls_bot"),
            BotRoute("telegram:bs", "Tỉnh LS/Xã BS", "bs_bot"),
            BotRoute("zalo", ""),
        ]
    )
    serving = router.serving("telegram", "Tỉnh LS/Xã BS/Thôn A")
    assert serving is not None and serving.channel == "telegram:bs"
    assert router.serving("telegram", "Tỉnh LS/Xã HV") == router.route("telegram:ls")
    assert router.serving("telegram", "Tỉnh CB") == router.route("telegram")
    assert router.may_use("telegram:bs", "Tỉnh LS/Xã BS/Thôn A")
    assert not router.may_use("telegram:ls", "Tỉnh LS/Xã BS/Thôn A")
    assert not router.may_use("telegram", "Tỉnh LS/Xã BS")
    assert router.may_use("telegram:bs", "Tỉnh LS") and router.may_use("telegram:ls", "Tỉnh LS")
    assert not router.may_use("telegram:bs", "Tỉnh CB")
    assert router.may_use("zalo", "Tỉnh LS/Xã BS") and router.may_use("console", "x")
    assert messenger_of("telegram:bs") == "telegram" and messenger_of("zalo") == "zalo"


ORG = """path,kind,households
Tỉnh Lạng Sơn,province,
Tỉnh Lạng Sơn/Xã Bắc Sơn,commune,
Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng,village,120
Tỉnh Cao Bằng,province,
Tỉnh Cao Bằng/Xã Hòa An,commune,
"""


def test_an_invite_prints_the_link_of_the_bot_serving_its_unit(tmp_path: Path) -> None:
    tables = bots(
        A + '\nbot_username = "antt_langson_bot"', B + '\nbot_username = "@antt_caobang_bot"'
    )
    write_config(tmp_path, tables)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv", env=ENV).returncode == 0
    for unit, bot in [
        ("Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng", "antt_langson_bot"),
        ("Tỉnh Cao Bằng/Xã Hòa An", "antt_caobang_bot"),
    ]:
        made = cli(tmp_path, "invite", "create", "--unit", unit, "--role", "member", env=ENV)
        assert made.returncode == 0, made.stderr
        lines = made.stdout.strip().splitlines()
        assert f"Link:    https://t.me/{bot}?start={lines[-1]}" == lines[-2]


def test_a_telegram_file_id_is_sent_again_only_by_the_bot_that_received_it() -> None:
    from bot.core.bots import tg_parts, tg_ref
    from bot.reports.alert_media import playable_on

    single, listed = tg_ref("telegram", "AgAD1"), tg_ref("telegram:ls", "AgAD2")
    assert (single, listed) == ("tg:AgAD1", "tg:AgAD2@ls")
    assert tg_parts(single) == ("AgAD1", "telegram")
    assert tg_parts(listed) == ("AgAD2", "telegram:ls")
    assert playable_on("telegram:ls", listed) and not playable_on("telegram:bs", listed)
    assert playable_on("telegram", single) and not playable_on("telegram:ls", single)


def test_each_listed_bot_has_its_own_pace(tmp_path: Path) -> None:
    from bot.app import send_policy
    from tests.support.twobots import two_bot_config

    config = two_bot_config(tmp_path)
    assert send_policy(config, "telegram:huu-vinh").rate == 20  # its own send_rate
    assert send_policy(config, "telegram:bac-son").rate == config.telegram.send_rate
    assert send_policy(config, "telegram:bac-son").per_chat == config.telegram.send_rate_per_chat
