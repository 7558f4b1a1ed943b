"""Unit tests for the UI catalogues: vi and en agree on keys, placeholders, emoji and commands,
vi keeps its diacritics, and every key the code asks for exists."""

from __future__ import annotations

import ast
import re
import string
import tomllib
import unicodedata
from pathlib import Path

import pytest

from bot.core.i18n import Texts, _flatten

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "locales"
CODE_DIRS = (ROOT / "bot", ROOT / "handlers")

KEY_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")
COMMAND_RE = re.compile(r"/([a-z]+)\b")

# Keys built with f-strings (f"error.{err.code}", f"join.invite_{status}", f"hint.{fdef.type}"):
# the scan cannot see them, so they are listed here.
DYNAMIC_KEYS = (
    "error.int_invalid",
    "error.time_invalid",
    "error.date_invalid",
    "error.date_future",
    "error.yes_no_invalid",
    "join.invite_unknown",
    "join.invite_expired",
    "join.invite_used_up",
    "hint.date",
    "hint.time",
    "hint.location",
    "hint.text",
    "tally.target.good_deeds",
    "tally.short.good_deeds",
    "tally.rating.excellent",
    # the plans' four movement classes (bot/tally/classes.py)
    "classes.level.tot",
    "classes.level.kha",
    "classes.level.trung_binh",
    "classes.level.yeu",
    "tally_urgent.col_tips",
    "tally_urgent.state.verifying",
    "tally_urgent.source.tips_resolved",
    "tally_urgent.definition.tips_resolved",
    "leave.reason_annual",
    "leave.reason_sick",
    "leave.reason_family",
    "leave.reason_other",
    # the changes /thanhvien offers (handlers/manage.py)
    "manage.action_role",
    "manage.action_move",
    "manage.action_leave",
    "manage.action_return",
    # LeaveError keys raised in bot/people/leave.py
    "leave.range_format",
    "leave.range_reversed",
    "leave.range_too_long",
    "leave.past_self",
    "leave.too_old",
    # an urgent report's states and steps (handlers/case.py, case_steps.py)
    "case.state_received",
    "case.step_verifying",
    "case.verb_resolved",
    # the days /quanly asks for (handlers/supervised_steps.py)
    "supervised.ask_since",
    "supervised.ask_end_day",
    "supervised.ask_reoffence_day",
    # the register's changes in the audit export (bot/people/audit_export.py)
    "supervised.audit_add",
    "supervised.audit_end",
    "supervised.audit_reoffence",
    "supervised.audit_reoffence_withdrawn",
)

ENGLISH_ALIASES = {
    "baocao": "report",
    "khongcovuviec": "nil",
    "baocaocuatoi": "myreports",
    "tinbao": "pending",
    "huy": "cancel",
    "trogiup": "help",
    "thongke": "tally",
    "lienket": "link",
    "kenhnhan": "messenger",
    "thongbao": "announce",
    "nghiphep": "leave",
    "quanly": "supervised",
    "baocaodot": "phasereport",
    "khenthuong": "commend",
}


def _catalogue(locale: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    _flatten("", tomllib.loads((LOCALES / f"{locale}.toml").read_text(encoding="utf-8")), flat)
    return flat


VI = _catalogue("vi")
EN = _catalogue("en")


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _symbols(text: str) -> set[str]:
    """Emoji and button symbols (◀ ✖ ⏭ ✔ 📎 → …), ignoring variation selectors."""
    return {ch for ch in text if unicodedata.category(ch) in {"So", "Sm"}}


def _key_literals(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if KEY_RE.match(node.value) else []
    if isinstance(node, ast.IfExp):  # ctx.t("a.b" if x else "a.c")
        return _key_literals(node.body) + _key_literals(node.orelse)
    return []


def _t_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for folder in CODE_DIRS:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "t"
                ):
                    calls.append((path, node))
    return calls


def _keys_used_in_code() -> dict[str, str]:
    """Literal keys passed to `.t(key, …)` or `.t(locale, key, …)`, mapped to where they occur."""
    used: dict[str, str] = {}
    for path, call in _t_calls():
        for arg in call.args[:2]:
            for key in _key_literals(arg):
                used.setdefault(key, f"{path.relative_to(ROOT)}:{call.lineno}")
    return used


def _fstring_prefixes() -> set[str]:
    """Literal heads of f-string keys, e.g. "error." for f"error.{err.code}"."""
    prefixes = set()
    for _, call in _t_calls():
        for arg in call.args[:2]:
            if isinstance(arg, ast.JoinedStr) and arg.values:
                head = arg.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    prefixes.add(head.value)
    return prefixes


def test_catalogues_load_through_texts() -> None:
    """The packaged loader sees both files (fails if `bot` is imported as a namespace package)."""
    texts = Texts.load()
    assert {"vi", "en"} <= set(texts.catalogues)
    assert texts.catalogues["vi"] == VI
    assert texts.catalogues["en"] == EN


def test_same_keys_in_both_languages() -> None:
    assert sorted(set(VI) - set(EN)) == [], "keys missing from en.toml"
    assert sorted(set(EN) - set(VI)) == [], "keys in en.toml that vi.toml lacks"


@pytest.mark.parametrize("key", sorted(VI))
def test_same_placeholders(key: str) -> None:
    if key not in EN:
        pytest.skip("missing key is reported by test_same_keys_in_both_languages")
    assert _placeholders(EN[key]) == _placeholders(VI[key])


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_template_formats(locale: str) -> None:
    texts = Texts({"vi": VI, "en": EN})
    for key, template in _catalogue(locale).items():
        params = {name: "X" for name in _placeholders(template)}
        texts.t(locale, key, **params)  # a stray brace or a positional field raises here


@pytest.mark.parametrize("key", sorted(VI))
def test_same_emoji_and_symbols(key: str) -> None:
    if key not in EN:
        pytest.skip("missing key is reported by test_same_keys_in_both_languages")
    assert _symbols(EN[key]) == _symbols(VI[key])


@pytest.mark.parametrize("key", sorted(VI))
def test_same_slash_commands(key: str) -> None:
    if key not in EN:
        pytest.skip("missing key is reported by test_same_keys_in_both_languages")
    vi_commands = set(COMMAND_RE.findall(VI[key]))
    en_commands = set(COMMAND_RE.findall(EN[key]))
    assert vi_commands <= en_commands
    for command in vi_commands:
        if command in ENGLISH_ALIASES:
            assert ENGLISH_ALIASES[command] in en_commands, f"en should mention /{command}'s alias"


def test_vietnamese_keeps_its_diacritics() -> None:
    """Guard against vi.toml saved or retyped without diacritics."""
    with_letters = [value for value in VI.values() if any(ch.isalpha() for ch in value)]
    accented = [value for value in with_letters if any(ord(ch) > 127 for ch in value)]
    assert with_letters
    assert len(accented) >= 0.9 * len(with_letters), (
        f"only {len(accented)}/{len(with_letters)} Vietnamese texts contain non-ASCII characters"
    )
    catalogue = "".join(VI.values())
    assert any(ch in catalogue for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_every_key_used_in_code_exists() -> None:
    used = _keys_used_in_code()
    assert len(used) > 50, "the scan for .t( calls found suspiciously few keys"
    missing = {key: where for key, where in used.items() if key not in VI}
    assert missing == {}, "keys used in code but missing from vi.toml"


@pytest.mark.parametrize("key", DYNAMIC_KEYS)
def test_dynamic_key_families_exist(key: str) -> None:
    assert key in VI


def test_every_fstring_key_family_is_listed() -> None:
    """A new f"family.{x}" key in code must get its members added to DYNAMIC_KEYS."""
    prefixes = _fstring_prefixes()
    assert prefixes, 'expected f-string keys such as f"error.{err.code}" in the code'
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in DYNAMIC_KEYS), prefix
