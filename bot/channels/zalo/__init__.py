"""Zalo Bot Platform: an httpx client of our own, long polling or a webhook, numbered choices."""

from bot.channels.zalo.api import ZaloApi, ZaloApiError, ZaloError, ZaloNetworkError
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.mapping import (
    NAME,
    SECRET_HEADER,
    TEXT_LIMIT,
    ZaloUpdate,
    parse_update,
    split_text,
    to_inbound,
)
from bot.web.tokens import secret_matches

__all__ = [
    "NAME",
    "SECRET_HEADER",
    "TEXT_LIMIT",
    "ZaloApi",
    "ZaloApiError",
    "ZaloChannel",
    "ZaloError",
    "ZaloNetworkError",
    "ZaloUpdate",
    "parse_update",
    "secret_matches",
    "split_text",
    "to_inbound",
]
