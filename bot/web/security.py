"""What every response carries and what every change must prove.

- A content security policy: scripts, styles and images from this server only (the map's
  tiles from the configured tile server), no inline script, no frames, forms post here only.
- No referrer leaves for another site, so a link's token never reaches the tile server or
  anyone else. ("same-origin", not "no-referrer": under "no-referrer" browsers send
  `Origin: null` with our own forms' posts, and those are refused below.)
- Every POST but the two a token itself authorises (sign-in, opening a file link) carries the
  session's CSRF token, and a browser's Origin, when it sends one, must be ours.
- Sign-in and link attempts are counted per address: past `[web] attempts_per_minute` the
  address is asked to wait, so tokens cannot be guessed at speed.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.config_web import WebSection
from bot.web.tokens import same


def policy(config: WebSection) -> str:
    """The Content-Security-Policy header of every page."""
    images = "'self' data:"
    if config.tile_origin:
        images += " " + config.tile_origin
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


def harden(response: web.StreamResponse, config: WebSection) -> None:
    """Set the headers every response carries (pages, files, errors)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", policy(config))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Cache-Control", "no-store")
    if config.secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"


def origin_ok(request: web.Request, public_url: str) -> bool:
    """A browser's Origin (or, without one, its Referer) must be this server: a form posted
    from another site is refused even before its CSRF token is checked."""
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent or sent == "null":
        return sent is None
    ours = urlsplit(public_url)
    theirs = urlsplit(sent)
    if (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc):
        return True
    # Reached directly (tests, a LAN address) rather than through the public name.
    return theirs.netloc == request.host


def csrf_ok(form_token: str | None, session_token: str) -> bool:
    """Whether a form carries its session's CSRF token."""
    return bool(form_token) and same(form_token or "", session_token)


class Attempts:
    """Counts attempts per address over the last minute (on the injected clock)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[datetime]] = {}

    def allow(self, address: str, now: datetime) -> bool:
        """Count one attempt; False when the address has used its minute's share."""
        window = self._seen.setdefault(address, deque())
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        if len(self._seen) > 10_000:  # forget idle addresses rather than grow without end
            for key in [k for k, v in self._seen.items() if not v][:5_000]:
                del self._seen[key]
        return True
