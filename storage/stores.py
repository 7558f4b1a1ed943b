"""Which database a location names: a SQLite file (a path or sqlite:///path) or PostgreSQL
(postgresql://...), opened behind the same Store."""

from __future__ import annotations

from storage.db import Database, Store


def is_postgres(location: str) -> bool:
    """Whether a configured location is a PostgreSQL URL rather than a SQLite file."""
    return location.startswith(("postgresql://", "postgres://"))


def sqlite_path(location: str) -> str:
    """The file of a SQLite location: `sqlite:///data/x.sqlite3` is relative to the working
    directory, `sqlite:////srv/x.sqlite3` absolute, a bare path as it is."""
    if location.startswith("sqlite:///"):
        return location[len("sqlite:///") :]
    if location.startswith("sqlite://"):
        raise ValueError(f"{location!r}: write sqlite:///path (three slashes) for a file")
    return location


def shown(location: str) -> str:
    """A database address fit for a terminal or a log: a URL's password is masked."""
    if "://" not in location or "@" not in location:
        return location
    scheme, rest = location.split("://", 1)
    authority, _, tail = rest.partition("/")
    user, _, host = authority.rpartition("@")
    name = user.split(":", 1)[0]
    return f"{scheme}://{name}{':***' if ':' in user else ''}@{host}/{tail}"


def make_store(location: str, *, read_url: str = "") -> Store:
    """The Store for a location, not yet opened (call `open()`)."""
    if is_postgres(location):
        from storage.pg import PgDatabase

        return PgDatabase(location, read_url=read_url)
    return Database(sqlite_path(location))


async def open_store(location: str, *, read_url: str = "") -> Store:
    """Open (and migrate) the database a location names."""
    return await make_store(location, read_url=read_url).open()
