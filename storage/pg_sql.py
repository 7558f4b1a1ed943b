"""SQLite's SQL, as the repositories write it, translated for PostgreSQL.

The repositories keep one dialect, SQLite's, so a query reads the same whichever database runs
it; the constructs that differ are rewritten here once per distinct query (cached):

* placeholders: `?` and `?N` become `$N` (numbers a query skips are declared as text);
* `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING` (`INSERT OR REPLACE` is
  refused: write `ON CONFLICT (...) DO UPDATE`, which both databases understand);
* `MIN(a, b)`/`MAX(a, b)` with two or more arguments are SQLite's scalar forms: `LEAST`/
  `GREATEST`; `IFNULL` is `COALESCE`; `instr` is `strpos`;
* `date`, `datetime`, `julianday`, `strftime`, `json_extract` and `json_type` call functions
  of the same meaning the PostgreSQL schema defines (`sqlite_date`, ...; see
  storage/migrations/postgresql);
* `json_extract(...) = 1` compares text with '1', as the PostgreSQL function gives text;
* `x IS y` and `x IS NOT y` with anything but NULL, TRUE or FALSE on the right are
  `IS [NOT] DISTINCT FROM`, SQLite's null-safe comparison;
* `x IN ()`, an empty list SQLite accepts, is an empty subquery;
* `CAST(x AS REAL)` is a double, as SQLite's REAL is; `INDEXED BY name` (a SQLite planner
  hint) is dropped.

What it does not translate raises `Untranslatable`, so a query that would silently mean
something else on PostgreSQL fails the first time a test runs it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<param>\?\d*)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>\|\||<=|>=|<>|!=|==|<<|>>|.)
    """,
    re.VERBOSE | re.DOTALL,
)

_RENAMED = {
    "ifnull": "COALESCE",
    "instr": "strpos",
    "date": "sqlite_date",
    "datetime": "sqlite_datetime",
    "julianday": "sqlite_julianday",
    "strftime": "sqlite_strftime",
    "json_extract": "sqlite_json",
    "json_type": "sqlite_json_type",
}
_SCALAR_OR_AGGREGATE = {"min": "LEAST", "max": "GREATEST"}
_UNSUPPORTED = {"total_changes", "changes", "last_insert_rowid", "group_concat", "printf"}


class Untranslatable(ValueError):
    """A query uses SQLite SQL this module does not carry over to PostgreSQL."""


class _Tok:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text


def _tokens(sql: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup or "op"
        out.append(_Tok(kind, m.group()))
    return out


@lru_cache(maxsize=4096)
def to_postgres(sql: str) -> str:
    """The PostgreSQL text of one SQLite statement; cached, since a process runs the same few
    hundred statements over and over."""
    toks = _tokens(sql)
    unused = _number_params(toks)
    _insert_or(toks)
    text = _emit(toks, 0, len(toks))
    return _declare(text, unused) if unused else text


def _number_params(toks: list[_Tok]) -> list[int]:
    """Number the placeholders; returns the numbers below the highest that no placeholder
    uses (`?1`..`?5`, `?7`: 6), which PostgreSQL cannot give a type."""
    highest = 0
    used: set[int] = set()
    for tok in toks:
        if tok.kind != "param":
            continue
        n = int(tok.text[1:]) if len(tok.text) > 1 else highest + 1
        highest = max(highest, n)
        used.add(n)
        tok.text = f"${n}"
    return [n for n in range(1, highest) if n not in used]


def _declare(text: str, unused: list[int]) -> str:
    """Mention the unused parameters in a CTE no one reads, so that each has a type (text):
    SQLite lets a numbered query skip some, PostgreSQL wants a type for every one."""
    cte = "_unused AS (SELECT " + ", ".join(f"${n}::text" for n in unused) + ")"
    match = re.match(r"\s*WITH(\s+RECURSIVE)?\s", text, re.IGNORECASE)
    if match:
        return text[: match.end()] + cte + ", " + text[match.end() :]
    return f"WITH {cte} {text.lstrip()}"


def _words(toks: list[_Tok]) -> list[int]:
    return [i for i, t in enumerate(toks) if t.kind != "space"]


def _insert_or(toks: list[_Tok]) -> None:
    idx = _words(toks)
    if len(idx) < 3:
        return
    first, second, third = (toks[i].text.upper() for i in idx[:3])
    if first not in {"INSERT", "REPLACE"}:
        return
    if first == "REPLACE" or (second == "OR" and third == "REPLACE"):
        raise Untranslatable("INSERT OR REPLACE: write INSERT ... ON CONFLICT (...) DO UPDATE")
    if second != "OR":
        return
    if third != "IGNORE":
        raise Untranslatable(f"INSERT OR {third}")
    toks[idx[1]].text = ""
    toks[idx[2]].text = ""
    # ON CONFLICT DO NOTHING goes before a top-level RETURNING, else at the end.
    depth = 0
    at = len(toks)
    for i, tok in enumerate(toks):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() == "RETURNING":
            at = i
            break
    end = at
    while end > 0 and (toks[end - 1].kind == "space" or toks[end - 1].text == ";"):
        end -= 1
    toks.insert(end, _Tok("word", " ON CONFLICT DO NOTHING"))


def _closing(toks: list[_Tok], open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(toks)):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise Untranslatable("unbalanced parentheses")


def _next_word(toks: list[_Tok], i: int, end: int) -> int:
    i += 1
    while i < end and toks[i].kind == "space":
        i += 1
    return i


def _args(toks: list[_Tok], open_at: int, close_at: int) -> list[tuple[int, int]]:
    parts: list[tuple[int, int]] = []
    depth = 0
    start = open_at + 1
    for i in range(open_at + 1, close_at):
        text = toks[i].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "," and depth == 0:
            parts.append((start, i))
            start = i + 1
    parts.append((start, close_at))
    return parts


def _emit(toks: list[_Tok], start: int, end: int) -> str:
    out: list[str] = []
    i = start
    while i < end:
        tok = toks[i]
        if tok.kind == "word":
            done = _word(toks, i, end, out)
            if done is not None:
                i = done
                continue
        out.append(tok.text)
        i += 1
    return "".join(out)


def _word(toks: list[_Tok], i: int, end: int, out: list[str]) -> int | None:
    """Rewrite the construct starting at word i; returns the index after it, or None when
    the word stays as it is."""
    word = toks[i].text
    low = word.lower()
    after = _next_word(toks, i, end)
    is_call = after < end and toks[after].text == "("
    if is_call and low in _UNSUPPORTED:
        raise Untranslatable(f"{word}() has no PostgreSQL translation here")
    if is_call and (low in _RENAMED or low in _SCALAR_OR_AGGREGATE):
        close = _closing(toks, after)
        args = _args(toks, after, close)
        name = _RENAMED.get(low)
        if name is None:
            name = _SCALAR_OR_AGGREGATE[low] if len(args) > 1 else word
        inner = ",".join(_emit(toks, a, b) for a, b in args)
        out.append(f"{name}({inner})")
        if low == "json_extract":
            _quote_compared_number(toks, close, end)
        return close + 1
    upper = word.upper()
    if upper == "IN" and is_call and toks[_next_word(toks, after, end)].text == ")":
        out.append("IN (SELECT NULL WHERE FALSE)")  # SQLite's empty list: never in it
        return _next_word(toks, after, end) + 1
    if upper == "INDEXED" and after < end and toks[after].text.upper() == "BY":
        return _next_word(toks, after, end) + 1
    if upper == "IS":
        return _is(toks, i, after, end, out)
    if upper == "AS" and after < end and toks[after].text.upper() == "REAL":
        out.append("AS DOUBLE PRECISION")
        return after + 1
    return None


def _quote_compared_number(toks: list[_Tok], close: int, end: int) -> None:
    """`json_extract(...) = 1`: the PostgreSQL function returns text (true is '1'), so the
    number it is compared with becomes text too."""
    op = _next_word(toks, close, end)
    if op < end and toks[op].text in {"=", "==", "<>", "!="}:
        value = _next_word(toks, op, end)
        if value < end and toks[value].kind == "number":
            toks[value].text = f"'{toks[value].text}'"


def _is(toks: list[_Tok], i: int, after: int, end: int, out: list[str]) -> int | None:
    negated = after < end and toks[after].text.upper() == "NOT"
    target = _next_word(toks, after, end) if negated else after
    if target >= end:
        return None
    if toks[target].text.upper() in {"NULL", "TRUE", "FALSE", "DISTINCT"}:
        return None
    out.append("IS DISTINCT FROM " if negated else "IS NOT DISTINCT FROM ")
    return target
