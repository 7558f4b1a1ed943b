"""The `[web]` section: the bot's own web server, its links, pages and sessions.

With `public_url` empty (the default) the bot serves no pages and sends no links: messengers
that cannot take files (Zalo) say how to turn links on. With it set, the bot's HTTP server
(the same one that takes Zalo's webhook) serves the files it makes under expiring personal
links, and the pages officers, supervisors and admins sign in to with `/web`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class WebSection(BaseModel):
    """Where the server listens, what the world calls it, and how long its links live."""

    model_config = ConfigDict(extra="forbid")

    # The address people open, as the world sees it (behind a reverse proxy that ends TLS):
    # "https://antt.example.vn". Empty: no web server, no links.
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # A sign-in link from /web: one use, this many minutes.
    signin_minutes: int = Field(default=10, ge=1, le=60)
    # How long a session opened by such a link lasts.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # How long a link to a file the bot made (a workbook, a chart, a photo) opens.
    file_link_hours: float = Field(default=72.0, gt=0, le=24 * 31)
    # Sign-in and link attempts per minute from one address before it is told to wait.
    attempts_per_minute: int = Field(default=20, ge=1, le=10_000)
    files_dir: str = "data/web-files"
    # The map's base layer; pages still work, without one, when it cannot load.
    tile_url: str = DEFAULT_TILES
    tile_attribution: str = "© OpenStreetMap"
    # Reports per page of the report list.
    page_size: int = Field(default=50, ge=5, le=500)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                "set the address people open, e.g. 'https://antt.example.vn' (or leave it empty)"
            )
        if parts.query or parts.fragment:
            raise ValueError("the address may not have a query or a fragment")
        return value

    @field_validator("tile_url")
    @classmethod
    def _tile_url(cls, value: str) -> str:
        value = value.strip()
        if value and not all(p in value for p in ("{z}", "{x}", "{y}")):
            raise ValueError("a tile address holds {z}, {x} and {y}, or is empty for no base map")
        if value and urlsplit(value.replace("{", "").replace("}", "")).scheme not in {
            "http",
            "https",
        }:
            raise ValueError("a tile address starts with https:// (or http://)")
        return value

    @property
    def enabled(self) -> bool:
        """Whether the server runs and links are sent."""
        return bool(self.public_url)

    @property
    def secure(self) -> bool:
        """Whether cookies are marked Secure (the public address is HTTPS)."""
        return self.public_url.startswith("https://")

    @property
    def tile_origin(self) -> str:
        """The tile server's origin, the one outside address the pages may load images from."""
        if not self.tile_url:
            return ""
        parts = urlsplit(self.tile_url.replace("{s}", "a"))
        return f"{parts.scheme}://{parts.netloc}"
