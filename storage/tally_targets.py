"""The tally's SQL for the targets fed by rarer answers: models recognised, the latest count
of households informed, and reports flagged by a yes/no answer (serious accidents).

Each reads as few reports as it can: a model or an accident through the small partial
indexes of migration 013 when the forms use the default field names, households through the
one of migration 018 when they use the default kind. Field names and values are validated
config keys, written into the SQL so the partial indexes apply (never text from users).
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Row, Tx
from storage.subtree import within, within_params
from storage.tally import Scope
from storage.tally_urgent import NOT_DUPLICATE

# The partial indexes of migration 013 and the conditions they hold.
_MODEL_INDEX = ("model_level", "district", "reports_model_recognised")
_ACCIDENT_INDEX = ("serious_accident", "reports_serious_accident")
# The partial index of migration 018: the default kind whose running totals the tally reads.
_LATEST_INDEX = ("admin_order", "reports_admin_latest")


def _literal(value: str) -> str:
    """A validated key as an SQL string literal (keys are [a-z0-9_], never quoted)."""
    if not value.replace("_", "").isalnum() or not value.isascii():
        raise ValueError(f"not a form key: {value!r}")
    return f"'{value}'"


async def recognised_models(
    tx: Tx, scope: Scope, kind: str, name_field: str, level_field: str, levels: Sequence[str]
) -> list[Row]:
    """(unit_id, name) of every model a team reported recognised at one of `levels`, on or
    before the period's end: a model recognised once stays in effect (4.2), so the start of
    the period does not bound it. Names are folded and counted by the caller."""
    if not levels:
        return []
    if len(levels) == 1:
        test = f"json_extract(r.data, '$.{level_field}') = {_literal(levels[0])}"
    else:
        values = ", ".join(_literal(v) for v in levels)
        test = f"json_extract(r.data, '$.{level_field}') IN ({values})"
    hint = (
        f"INDEXED BY {_MODEL_INDEX[2]}"
        if (level_field, tuple(levels)) == (_MODEL_INDEX[0], (_MODEL_INDEX[1],))
        else ""
    )
    return await tx.fetchall(
        f"""SELECT DISTINCT r.unit_id AS unit_id,
                   json_extract(r.data, '$.{name_field}') AS name
            FROM reports r {hint}
            JOIN units u ON u.id = r.unit_id
            WHERE {test} AND r.kind = ?6 AND r.report_date <= ?7 AND r.status = 'active'
              AND {within("u.path", first=1)}""",
        (*within_params(scope.path), kind, scope.end),
    )


async def latest_values(tx: Tx, scope: Scope, kind: str, field: str) -> list[Row]:
    """(unit_id, typed): per unit, the answer `field` of its latest report of `kind` on or
    before the period's end (a running total such as households informed: the latest
    stands, never a sum of reports). One backward index seek per unit of the subtree, which
    stops at the unit's latest report: for the default kind through the small partial index
    of migration 018 (its reports only, in the order asked for), else through the unit's
    reports, walking back past those of other kinds. `typed` is the answer's JSON type and
    the answer, 'integer:90' (one text for both databases: see `typed_value`)."""
    if kind == _LATEST_INDEX[0]:
        source = f"reports r INDEXED BY {_LATEST_INDEX[1]}"
        of_kind = f"r.kind = {_literal(kind)}"
    else:
        source, of_kind = "reports r INDEXED BY reports_unit_cover", "r.kind = ?6"
    return await tx.fetchall(
        f"""SELECT u.id AS unit_id,
                   (SELECT json_type(r.data, '$.{field}') || ':'
                           || json_extract(r.data, '$.{field}')
                      FROM {source}
                     WHERE r.unit_id = u.id AND r.report_date <= ?7 AND {of_kind}
                       AND r.status = 'active' AND json_extract(r.data, '$.{field}') IS NOT NULL
                     ORDER BY r.report_date DESC, r.created_at DESC, r.id DESC
                     LIMIT 1) AS typed
            FROM units u
            WHERE {within("u.path", first=1)}""",
        (*within_params(scope.path), kind, scope.end),
    )


def typed_value(typed: object) -> object:
    """A `latest_values` answer as JSON had it: an int for an integer, else the text (or
    None), so that a typed-in "90 hộ" is never taken for a number."""
    if typed is None:
        return None
    kind, _, text = str(typed).partition(":")
    return int(text) if kind == "integer" else text


async def flagged_count(tx: Tx, scope: Scope, kinds: Sequence[str], field: str) -> list[Row]:
    """(unit_id, n): the period's reports of `kinds` whose yes/no answer `field` is yes, a
    report marked the same incident as another counted once (there)."""
    if not kinds:
        return []
    # The accident flag has its own partial index (tips and patrols); other flags sit on a
    # rare kind, read through the kind index (without the hint SQLite may walk the whole
    # period's reports by date).
    hint = (
        f"INDEXED BY {_ACCIDENT_INDEX[1]}"
        if field == _ACCIDENT_INDEX[0]
        else "INDEXED BY reports_kind_date"
    )
    marks = ", ".join(f"?{8 + i}" for i in range(len(kinds)))
    return await tx.fetchall(
        f"""SELECT r.unit_id AS unit_id, COUNT(*) AS n
            FROM reports r {hint}
            JOIN units u ON u.id = r.unit_id
            WHERE json_extract(r.data, '$.{field}') = 1
              AND r.report_date BETWEEN ?6 AND ?7 AND r.kind IN ({marks})
              AND r.status = 'active' AND {NOT_DUPLICATE}
              AND {within("u.path", first=1)}
            GROUP BY r.unit_id""",
        (*within_params(scope.path), scope.start, scope.end, *kinds),
    )


def reads_admin_index(kind: str) -> bool:
    """Whether `admin_flags` serves this administrative kind (the default one, whose partial
    index it reads); other kinds go through `flagged_count`."""
    return kind == _LATEST_INDEX[0]


async def admin_flags(tx: Tx, scope: Scope, fields: Sequence[str]) -> list[Row]:
    """(unit_id, n0, n1, ...): per unit, the period's reports of the default administrative
    kind whose yes/no answer `fields[i]` is yes (duplicates counted once, as in
    `flagged_count`). All flags in one pass, unit by unit through the kind's partial index
    (migration 018): only the subtree's own reports of that kind are read. Through the kind
    index a province's phase read every such report of the country (a tenth of all reports)
    to keep its own thirtieth, once per flag."""
    if not fields:
        return []
    sums = ", ".join(
        f"SUM(CASE WHEN json_extract(r.data, '$.{field}') = 1 THEN 1 ELSE 0 END) AS n{i}"
        for i, field in enumerate(fields)
    )
    return await tx.fetchall(
        f"""SELECT u.id AS unit_id, {sums}
            FROM units u
            JOIN reports r INDEXED BY {_LATEST_INDEX[1]} ON r.unit_id = u.id
            WHERE {within("u.path", first=1)}
              AND r.report_date BETWEEN ?6 AND ?7
              AND r.kind = {_literal(_LATEST_INDEX[0])} AND r.status = 'active'
              AND {NOT_DUPLICATE}
            GROUP BY u.id""",
        (*within_params(scope.path), scope.start, scope.end),
    )
