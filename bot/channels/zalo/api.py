"""A small httpx client for the Zalo Bot Platform API (Telegram-like, JSON over POST).

Every call is `POST {base}/bot{TOKEN}/{method}` with a JSON body and answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}`.
The token is part of every URL, so no URL, request or httpx exception text ever leaves this
module: errors carry the method name and Zalo's code only.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import httpx

from bot.core.ids import parse_id

POLLING_TIMEOUT = 408  # getUpdates: no update arrived within the timeout


class ZaloError(Exception):
    """Base of every failure talking to Zalo; the message never contains the token."""


class ZaloNetworkError(ZaloError):
    """The request did not get an answer (connection refused, timeout, reset): retry later."""

    def __init__(self, method: str, reason: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.reason = reason


class ZaloApiError(ZaloError):
    """Zalo answered with ok=false; `error_code` says why (408 on getUpdates = no update)."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(f"{method}: error {error_code}: {description[:200]}")
        self.method = method
        self.error_code = error_code
        self.description = description

    @property
    def transient(self) -> bool:
        """Rate limits, timeouts and server trouble pass; bad requests and bad tokens do not."""
        return self.error_code in {408, 429} or self.error_code >= 500


class ZaloApi:
    """The Bot API calls the bot needs, over one shared httpx connection pool."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 15.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = timeout
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool at shutdown."""
        await self._client.aclose()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Make one call and return its `result`; raise ZaloApiError / ZaloNetworkError."""
        try:
            response = await self._client.post(
                self._prefix + method, json=params or {}, timeout=timeout or self._timeout
            )
        except httpx.HTTPError as err:
            raise ZaloNetworkError(method, type(err).__name__) from None
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
            raise ZaloApiError(method, response.status_code, "answer is not JSON") from None
        if not isinstance(body, dict):
            raise ZaloApiError(method, response.status_code, "answer is not a JSON object")
        if not body.get("ok"):
            code = body.get("error_code")
            code = code if isinstance(code, int) else parse_id(str(code)) or 0
            raise ZaloApiError(
                method, code or response.status_code, str(body.get("description") or "")
            )
        return body.get("result")

    async def get_me(self) -> dict[str, Any]:
        """Check the token and learn the bot's id and name."""
        result = await self.call("getMe")
        return dict(result or {})

    async def get_updates(self, timeout: int) -> dict[str, Any] | None:
        """Long-poll for the next update (Zalo returns one per call); None when none came."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10.0
            )
        except ZaloApiError as err:
            if err.error_code == POLLING_TIMEOUT:
                return None
            raise
        return dict(result) if isinstance(result, dict) else None

    async def send_message(self, chat_id: str, text: str) -> str | None:
        """Send a text (1 to 2,000 characters); returns Zalo's message id."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return _message_id(result)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str | None:
        """Send a picture by URL with an optional caption; returns Zalo's message id."""
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return _message_id(await self.call("sendPhoto", params))

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Ask Zalo to post updates to `url` with the secret in X-Bot-Api-Secret-Token."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Switch back to getUpdates (Zalo refuses long polling while a webhook is set)."""
        await self.call("deleteWebhook")

    async def download(self, url: str, folder: Path, stem: str, max_bytes: int) -> Path:
        """Fetch a photo into `folder` as `stem` plus an extension from its content type.

        Written under a temporary name and renamed when complete, so a crash or a file larger
        than `max_bytes` (ZaloNetworkError) never leaves a partial photo behind.
        """
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{stem}.part"
        try:
            async with self._client.stream("GET", url, timeout=self._timeout) as response:
                if response.status_code != 200:
                    raise ZaloNetworkError("download", f"http {response.status_code}")
                size = 0
                with open(partial, "wb") as out:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise ZaloNetworkError("download", "file too large")
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            target = folder / (stem + _EXTENSIONS.get(kind, ".jpg"))
            os.replace(partial, target)
        except httpx.HTTPError as err:
            raise ZaloNetworkError("download", type(err).__name__) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        return target


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


def _message_id(result: Any) -> str | None:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return None
