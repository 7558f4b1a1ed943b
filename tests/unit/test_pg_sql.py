"""SQLite's SQL as PostgreSQL reads it (storage/pg_sql.py): each construct the repositories
use, and the ones refused rather than mistranslated."""

from __future__ import annotations

import pytest

from storage.pg_sql import Untranslatable, to_postgres


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"),
        ("SELECT ?2, ?1, ?2", "SELECT $2, $1, $2"),
        ("SELECT ?3, ?", "WITH _unused AS (SELECT $1::text, $2::text) SELECT $3, $4"),
        ("SELECT 'what?' FROM t WHERE a = ?", "SELECT 'what?' FROM t WHERE a = $1"),
        (
            "INSERT OR IGNORE INTO t (a) VALUES (?)",
            "INSERT  INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING",
        ),
        (
            "INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id",
            "INSERT  INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id",
        ),
        ("SELECT MAX(a), MAX(a, b), MIN(a, b, c)", "SELECT MAX(a), GREATEST(a, b), LEAST(a, b, c)"),
        ("SELECT IFNULL(a, 0), instr(a, '/')", "SELECT COALESCE(a, 0), strpos(a, '/')"),
        (
            "SELECT date(a, '+1 day'), julianday(b)",
            "SELECT sqlite_date(a, '+1 day'), sqlite_julianday(b)",
        ),
        (
            "SELECT 1 WHERE json_extract(d, '$.x') = 1",
            "SELECT 1 WHERE sqlite_json(d, '$.x') = '1'",
        ),
        (
            "SELECT 1 WHERE a IS ? AND b IS NOT c",
            "SELECT 1 WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM c",
        ),
        (
            "SELECT 1 WHERE a IS NULL AND b IS NOT NULL",
            "SELECT 1 WHERE a IS NULL AND b IS NOT NULL",
        ),
        (
            "SELECT 1 FROM r INDEXED BY r_kind WHERE x IN ()",
            "SELECT 1 FROM r  WHERE x IN (SELECT NULL WHERE FALSE)",
        ),
        ("SELECT CAST(a AS REAL)", "SELECT CAST(a AS DOUBLE PRECISION)"),
    ],
)
def test_each_construct_is_translated(sqlite: str, postgres: str) -> None:
    assert " ".join(to_postgres(sqlite).split()) == " ".join(postgres.split())


@pytest.mark.parametrize(
    "sqlite",
    [
        "INSERT OR REPLACE INTO t (a) VALUES (?)",
        "REPLACE INTO t (a) VALUES (?)",
        "SELECT total_changes()",
        "SELECT group_concat(a) FROM t",
    ],
)
def test_what_has_no_translation_is_refused(sqlite: str) -> None:
    with pytest.raises(Untranslatable):
        to_postgres(sqlite)
