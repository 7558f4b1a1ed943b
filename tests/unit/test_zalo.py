"""Unit tests for the pure parts of the Zalo channel: updates, Inbound mapping, splitting,
the webhook secret, delivery errors, and the [zalo] configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo import (
    ZaloApiError,
    ZaloNetworkError,
    parse_update,
    secret_matches,
    split_text,
    to_inbound,
)
from bot.channels.zalo.channel import _delivery_error
from bot.channels.zalo.mapping import media_stem
from bot.core.config import ConfigError, load_config


def update(event: str = "message.text.received", **message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": "16f6366b3f02645a3d15",
        "date": 1766619597466,
        "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Nguyễn Văn An"},
        "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
    }
    body.update(message)
    return {"event_name": event, "message": body}


# ---------------------------------------------------------------------------- updates


def test_a_text_message_maps_to_inbound_keyed_by_message_id() -> None:
    parsed = parse_update(update(text="/start ABC"))
    assert parsed is not None
    inbound = to_inbound(parsed)
    assert inbound is not None
    assert (inbound.channel, inbound.chat_id, inbound.user_id) == (
        "zalo",
        "e4ea2cd5189df1c3a88c",
        "e4ea2cd5189df1c3a88c",
    )
    assert inbound.update_key == "16f6366b3f02645a3d15"
    assert inbound.command == "start" and inbound.args == "ABC"
    assert inbound.display_name == "Nguyễn Văn An"
    assert parsed.message is not None and parsed.message.date == 1766619597466  # ms


def test_the_getupdates_envelope_and_a_bare_webhook_body_read_the_same() -> None:
    bare = parse_update(update(text="hi"))
    wrapped = parse_update({"ok": True, "result": update(text="hi")})
    assert bare is not None and bare == wrapped


def test_numeric_ids_become_strings_and_older_field_names_are_understood() -> None:
    raw = update(
        "message.image.received",
        message_id=123,
        photo="https://example.invalid/p.jpg",
        caption="cháy",
        **{"from": {"id": 42, "name": "An"}, "chat": {"id": 42, "chat_type": "PRIVATE"}},
    )
    parsed = parse_update(raw)
    assert parsed is not None and parsed.message is not None
    assert parsed.key == "123" and parsed.message.sender.id == "42"
    assert parsed.message.picture == "https://example.invalid/p.jpg"
    inbound = to_inbound(parsed, photo_ref="file:/media/x.jpg")
    assert inbound is not None
    assert (inbound.photo, inbound.text, inbound.display_name) == (
        "file:/media/x.jpg",
        "cháy",
        "An",
    )


@pytest.mark.parametrize(
    "event", ["message.sticker.received", "message.unsupported.received", "message.new.kind"]
)
def test_stickers_and_unknown_events_are_not_dialog_input(event: str) -> None:
    parsed = parse_update(update(event, sticker="abc"))
    assert parsed is not None and to_inbound(parsed) is None


def test_group_chats_and_bots_are_not_dialog_input() -> None:
    group = parse_update(update(text="hi", chat={"id": "g1", "chat_type": "GROUP"}))
    bot = parse_update(update(text="hi", **{"from": {"id": "b", "is_bot": True}}))
    assert group is not None and bot is not None
    assert to_inbound(group) is None and to_inbound(bot) is None


@pytest.mark.parametrize("body", [None, [], "x", {"ok": True, "result": None}, {"message": {}}])
def test_unusable_bodies_are_rejected(body: Any) -> None:
    assert parse_update(body) is None


def test_photo_file_names_are_safe_and_stable() -> None:
    assert media_stem("../../etc/passwd") == media_stem("../../etc/passwd")
    assert media_stem("a").isalnum() and "/" not in media_stem("../x")


# ---------------------------------------------------------------------------- splitting


def test_a_short_text_is_one_message() -> None:
    assert split_text("Xin chào\n1. Có\n2. Không") == ["Xin chào\n1. Có\n2. Không"]


def test_long_texts_split_between_lines_under_the_limit() -> None:
    lines = [f"{i}. " + "chữ " * 20 for i in range(200)]
    text = "\n".join(lines)
    parts = split_text(text, 2000)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text
    assert all(p.split("\n")[0] in lines for p in parts)  # every part starts at a line


def test_a_line_longer_than_the_limit_is_cut_at_a_space() -> None:
    text = "đầu\n" + "từ " * 1000 + "\ncuối"
    parts = split_text(text, 2000)
    assert all(0 < len(p) <= 2000 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    assert parts[0] == "đầu" and parts[-1].endswith("cuối")


def test_a_line_without_spaces_is_cut_hard() -> None:
    parts = split_text("x" * 4500, 2000)
    assert [len(p) for p in parts] == [2000, 2000, 500]


# ---------------------------------------------------------------------------- secret


def test_the_webhook_secret_must_match_exactly() -> None:
    assert secret_matches("s3cret-value", "s3cret-value")
    assert not secret_matches("s3cret-value", "s3cret-valuE")
    assert not secret_matches("s3cret-value", "")
    assert not secret_matches("s3cret-value", None)
    assert not secret_matches("", "")  # no secret configured never lets anyone in
    assert secret_matches("mật-khẩu-dài", "mật-khẩu-dài")  # non-ASCII secrets compare too


# ---------------------------------------------------------------------------- delivery errors


@pytest.mark.parametrize(
    ("error", "transient", "blocked"),
    [
        (ZaloNetworkError("sendMessage", "ConnectError"), True, False),
        (ZaloApiError("sendMessage", 429, "too many"), True, False),
        (ZaloApiError("sendMessage", 500, "oops"), True, False),
        (ZaloApiError("sendMessage", 403, "forbidden"), False, True),
        (ZaloApiError("sendMessage", 400, "text too long"), False, False),
        (ZaloApiError("sendMessage", 401, "Unauthorized"), False, False),
    ],
)
def test_delivery_errors_say_whether_to_retry(
    error: Exception, transient: bool, blocked: bool
) -> None:
    mapped = _delivery_error(error)  # type: ignore[arg-type]
    assert (mapped.transient, mapped.blocked) == (transient, blocked)


TOKEN = "1459232241454765289:SECRET-PART-never-logged"


async def _api_answering(handler: Any) -> Any:
    import httpx

    from bot.channels.zalo import ZaloApi

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ZaloApi("https://zalo.invalid", TOKEN, client=client)


async def test_network_errors_never_carry_the_token() -> None:
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/bot{TOKEN}/sendMessage"
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    api = await _api_answering(refuse)
    with pytest.raises(ZaloNetworkError) as caught:
        await api.send_message("c1", "hi")
    assert "SECRET-PART" not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__


async def test_ok_false_envelopes_raise_with_zalo_s_code() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[1]
        if method == "getUpdates":
            return httpx.Response(200, json={"ok": False, "error_code": 408, "description": "t"})
        return httpx.Response(200, json={"ok": False, "error_code": 400, "description": "long"})

    api = await _api_answering(answer)
    assert await api.get_updates(1) is None  # 408 = nothing new, not an error
    with pytest.raises(ZaloApiError) as caught:
        await api.send_message("c1", "x")
    assert caught.value.error_code == 400 and not caught.value.transient


# ---------------------------------------------------------------------------- configuration


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_zalo_token_comes_only_from_the_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ANTT_ZALO_TOKEN"):
        load_config(write(tmp_path, '[zalo]\ntoken = "1:abc"\n'), {})
    with pytest.raises(ConfigError, match="ANTT_ZALO_WEBHOOK_SECRET"):
        load_config(write(tmp_path, '[zalo]\nwebhook_secret = "12345678"\n'), {})
    config = load_config(None, {"ANTT_ZALO_TOKEN": " 1:abc "})
    assert config.zalo_token == "1:abc"
    assert "1:abc" not in repr(config) and "1:abc" not in config.model_dump_json()
    assert load_config(None, {}).zalo_token is None


def test_defaults_and_a_custom_base_url(tmp_path: Path) -> None:
    config = load_config(None, {})
    assert config.zalo.base_url == "https://bot-api.zaloplatforms.com"
    assert config.zalo.mode == "polling"
    custom = load_config(write(tmp_path, '[zalo]\nbase_url = "http://127.0.0.1:9/"\n'), {})
    assert custom.zalo.base_url == "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="zalo.base_url"):
        load_config(write(tmp_path, '[zalo]\nbase_url = "ftp://x"\n'), {})


def test_webhook_mode_needs_a_url_and_a_long_enough_secret(tmp_path: Path) -> None:
    hook = write(tmp_path, '[zalo]\nmode = "webhook"\nwebhook_url = "https://bot.example.vn/z"\n')
    env = {"ANTT_ZALO_TOKEN": "1:abc"}
    with pytest.raises(ConfigError, match="8 to 256 characters"):
        load_config(hook, env)
    with pytest.raises(ConfigError, match="8 to 256 characters"):
        load_config(hook, {**env, "ANTT_ZALO_WEBHOOK_SECRET": "short"})
    config = load_config(hook, {**env, "ANTT_ZALO_WEBHOOK_SECRET": "long-enough"})
    assert config.zalo.webhook_secret is not None
    no_url = write(tmp_path, '[zalo]\nmode = "webhook"\n')
    with pytest.raises(ConfigError, match="zalo.webhook_url"):
        load_config(no_url, {**env, "ANTT_ZALO_WEBHOOK_SECRET": "long-enough"})
