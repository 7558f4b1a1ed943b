"""Selecting a unit and everything below it (or above it), exactly, on the indexed path.

Unit names come from people (an org import): they may hold `_` or `%`, or differ from a
neighbour's only in case. `LIKE` would read the first two as wildcards and ignore ASCII case,
so the officer of "Xã A_1" would see "Xã AB1". Every query that scopes by unit therefore uses
these fragments: an index range `[path, path + '0')` ('0' is the character after '/') that
narrows the search, and an exact, byte-for-byte prefix test that decides.
"""

from __future__ import annotations

SEPARATOR = "/"


def within(column: str, first: int | None = None) -> str:
    """SQL true for `column` equal to a path or below it; feed it `within_params(path)`.

    With `first`, the five parameters are numbered `?first` … `?first+4`, for queries that
    number their parameters (the tally); otherwise they are plain `?` in order.
    """
    marks = ["?"] * 5 if first is None else [f"?{first + i}" for i in range(5)]
    low, high, same, length, prefix = marks
    return (
        f"({column} >= {low} AND {column} < {high}"
        f" AND ({column} = {same} OR substr({column}, 1, {length}) = {prefix}))"
    )


def within_params(path: str) -> tuple[str, str, str, int, str]:
    """The parameters of `within`: the index range, the path itself and its 'path/' prefix."""
    prefix = path + SEPARATOR
    return (path, path + "0", path, len(prefix), prefix)


def holds(column: str) -> str:
    """SQL true when the unit path in `column` is a given path or one of its ancestors, i.e.
    the unit contains it (whose officers hear of a report); feed it `holds_params(path)`."""
    return f"(? = {column} OR substr(?, 1, length({column}) + 1) = {column} || '{SEPARATOR}')"


def holds_params(path: str) -> tuple[str, str]:
    """The parameters of `holds`."""
    return (path, path)


def in_scope(viewer_path: str, target_path: str) -> bool:
    """The same rule in Python: a unit sees itself and everything below it, never siblings
    or parents (byte-for-byte: case and punctuation count)."""
    return target_path == viewer_path or target_path.startswith(viewer_path + SEPARATOR)
