"""Ids written inside text columns, rewritten for `antt-bot db copy`: team-mates in a
report's answers (and its audit's before/after), the subject of an audit-trail entry, and
the ids a dialog in progress holds (a draft, a case step, a pick).

A dialog's last question and a pushed message's choices are dropped when their values carry
ids (the dialog asks again); everything else of a dialog is kept as it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.reports.forms import Forms

Maps = dict[str, dict[str, str]]

# Per dialog flow: its fields holding ids, and the table each points into.
_FLOW_IDS: dict[str, dict[str, str]] = {
    "edit": {"report_id": "reports"},
    "case_step": {"report_id": "reports"},
    "duplicate": {"report_id": "reports"},
    "tally_range": {"unit_id": "units"},
    "commend": {"unit_id": "units"},
    "leave": {"team": "units", "target": "members"},
    "announce": {"unit_id": "units"},
    "manage": {"unit_id": "units", "target": "members", "dest": "units"},
    "supervised": {"unit_id": "units", "person_id": "supervised"},
}
_ID_LIKE = re.compile(r"(^|[:m])\d+($|:)")
_PICK = re.compile(r"^m(\d+)$")


def team_fields(forms: Forms) -> dict[str, list[str]]:
    """Per report kind, the answers that list team-mates by member id."""
    return {
        c.key: [f.key for f in c.fields if f.type == "multi_choice" and f.choices_from == "team"]
        for c in forms.categories
    }


def _member(maps: Maps, value: Any) -> Any:
    new = maps.get("members", {}).get(str(value))
    return value if new is None else int(new)


def answers(data: dict[str, Any], keys: list[str], maps: Maps) -> dict[str, Any]:
    """A report's answers with its team-mates' ids rewritten."""
    out = dict(data)
    for key in keys:
        value = out.get(key)
        if isinstance(value, list):
            out[key] = [_member(maps, v) for v in value]
    return out


def answers_text(text: str | None, keys: list[str], maps: Maps) -> str | None:
    """`answers` for JSON text (reports.data, report_audit before/after); text that is not a
    JSON object is kept as it is."""
    if not text or not keys:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return json.dumps(answers(data, keys, maps), ensure_ascii=False)


def subject_id(subject: str, value: str, maps: Maps) -> str:
    """An audit entry's subject as the target knows it: a member, unit or register entry by
    its new id, a commendation as occasion:team:member; an invite keeps its code."""
    table = {"member": "members", "unit": "units", "supervised": "supervised"}.get(subject)
    if table is not None:
        return maps.get(table, {}).get(value, value)
    if subject == "commendation":
        parts = value.split(":")
        if len(parts) >= 3:
            team = maps.get("units", {}).get(parts[-2], parts[-2])
            member = (
                parts[-1] if parts[-1] == "0" else maps.get("members", {}).get(parts[-1], parts[-1])
            )
            return ":".join([*parts[:-2], team, member])
    return value


def _flow(state: dict[str, Any], fields: dict[str, list[str]], maps: Maps) -> dict[str, Any]:
    out = dict(state)
    for name, table in _FLOW_IDS.get(str(out.get("flow")), {}).items():
        value = out.get(name)
        if value is not None:
            new = maps.get(table, {}).get(str(value))
            out[name] = None if new is None else int(new)
    kind = out.get("kind")
    if out.get("flow") == "edit":
        kind = None  # the edited report's kind is not in the state: every team field
        keys = sorted({k for ks in fields.values() for k in ks})
    else:
        keys = fields.get(str(kind), [])
    if isinstance(out.get("answers"), dict):
        out["answers"] = answers(out["answers"], keys, maps)
    if isinstance(out.get("pending"), list):
        out["pending"] = [_pick(maps, v) for v in out["pending"]]
    if isinstance(out.get("last"), list):  # a commendation's (team, member) pairs
        out["last"] = [
            [int(maps.get("units", {}).get(str(t), t)), 0 if not m else _member(maps, m)]
            for t, m in out["last"]
        ]
    return out


def _pick(maps: Maps, value: Any) -> Any:
    found = _PICK.match(str(value))
    if not found:
        return value
    new = maps.get("members", {}).get(found.group(1))
    return value if new is None else f"m{new}"


def _carries_ids(question: Any) -> bool:
    if not isinstance(question, dict):
        return False
    return any(_ID_LIKE.search(str(c[0])) for c in question.get("choices", []) if c)


def dialog(text: str, fields: dict[str, list[str]], maps: Maps) -> str:
    """A chat's saved dialog as the target knows it: the flow's and a parked flow's ids
    rewritten; a question or pushed choices whose values carry ids dropped (the dialog
    asks again)."""
    try:
        state = json.loads(text)
    except ValueError:
        return text
    if not isinstance(state, dict):
        return text
    out = _flow(state, fields, maps)
    if isinstance(out.get("parked"), dict):
        out["parked"] = _flow(out["parked"], fields, maps)
    for name in ("question", "aside"):
        if _carries_ids(out.get(name)):
            out.pop(name)
    return json.dumps(out, ensure_ascii=False)
