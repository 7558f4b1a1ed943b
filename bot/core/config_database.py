"""The `[database]` section: which database the bot uses (a SQLite file, or PostgreSQL past
one machine) and an optional read replica. URLs may carry a password, so they are also
read from the environment, and a password written in the file is refused."""

from __future__ import annotations

from pydantic import field_validator

from bot.core.config_movement import Section

DATABASE_URL_ENV = "ANTT_DATABASE_URL"
DATABASE_READ_URL_ENV = "ANTT_DATABASE_READ_URL"


class DatabaseSection(Section):
    url: str = ""
    path: str = "data/antt-bot.sqlite3"
    read_url: str = ""

    @field_validator("url", "read_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(
                f"{value!r}: write sqlite:///path/to/file.sqlite3 or postgresql://host/db"
            )
        if _has_password(value):
            raise ValueError(
                f"never put a database password in a file; set the environment variable"
                f" {DATABASE_URL_ENV} (or PGPASSWORD) instead"
            )
        return value

    @property
    def location(self) -> str:
        """Where the database is: `url` when set, else the SQLite file at `path`."""
        return self.url or self.path


def _has_password(url: str) -> bool:
    """Whether a postgresql:// URL carries a password (user:secret@host)."""
    if "://" not in url:
        return False
    authority = url.split("://", 1)[1].split("/", 1)[0]
    return "@" in authority and ":" in authority.rsplit("@", 1)[0]
