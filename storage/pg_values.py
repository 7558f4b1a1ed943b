"""Values between Python and PostgreSQL as SQLite's habits want them: arguments converted to
the type PostgreSQL inferred for each placeholder (SQLite takes 5 for a TEXT column),
whole numeric results as ints, values written into a script's text, a command tag's count."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import asyncpg

Convert = Callable[[Any], Any]


def number(text: str) -> int | float:
    """numeric (SUM of bigints, AVG) as SQLite gives it: an int when whole, else a float."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


async def setup(conn: asyncpg.Connection) -> None:
    """Every connection decodes numeric as `number` does, so sums read as SQLite's do."""
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=number, schema="pg_catalog", format="text"
    )


def to_text(value: Any) -> Any:
    """An argument for a text placeholder: SQLite stores 5 in a TEXT column as '5'."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def to_int(value: Any) -> Any:
    """An argument for an integer placeholder ('5' where SQLite would have compared it)."""
    return value if value is None or isinstance(value, int) else int(value)


def to_float(value: Any) -> Any:
    """An argument for a floating or numeric placeholder."""
    return value if value is None else float(value)


CONVERTERS: dict[str, Convert] = {
    "text": to_text,
    "varchar": to_text,
    "bpchar": to_text,
    "name": to_text,
    "int2": to_int,
    "int4": to_int,
    "int8": to_int,
    "float4": to_float,
    "float8": to_float,
    "numeric": to_float,
}
# Per statement text: how to convert each argument to the type PostgreSQL inferred for it
# (SQLite takes 5 for a TEXT column, asyncpg insists on '5'). Learned once per statement.
PLANS: dict[str, tuple[Convert | None, ...]] = {}


def literal(value: Any) -> str:
    """A value written into SQL text: NULL, or a quoted string PostgreSQL converts to the
    column's type (standard_conforming_strings is on: only quotes are doubled)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        value = int(value)
    text = str(value)
    if "\x00" in text:
        raise ValueError("a NUL character cannot be stored")
    return "'" + text.replace("'", "''") + "'"


def inline(text: str, params: list[Any]) -> str:
    """A translated statement with its $N placeholders replaced by literals, for a script."""
    return re.sub(r"\$(\d+)", lambda m: literal(params[int(m.group(1)) - 1]), text)


class Status:
    """A statement's outcome: the rows it changed, from PostgreSQL's command tag."""

    def __init__(self, tag: str) -> None:
        last = tag.rsplit(" ", 1)[-1]
        self.rowcount = int(last) if last.isdigit() else -1
        self.lastrowid: int | None = None
