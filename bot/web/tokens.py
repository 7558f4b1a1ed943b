"""Tokens for links and sessions: random, unguessable, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits: 43 URL-safe characters


def new_token() -> str:
    """A fresh token for a link, a session cookie or a form."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """What the database keeps of a token, so a copy of it opens nothing."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def well_formed(token: str) -> bool:
    """Whether a token from a URL or a cookie could be one of ours (else no lookup at all)."""
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def same(a: str, b: str) -> bool:
    """Compare secrets in constant time (a CSRF token against the session's)."""
    return hmac.compare_digest(a.encode(), b.encode())


def secret_matches(expected: str, given: str | None) -> bool:
    """A webhook's secret header (Telegram's, Zalo's) checked in constant time; an empty
    secret never matches, so a webhook without one refuses everything."""
    if not expected or given is None:
        return False
    return same(expected, given)
