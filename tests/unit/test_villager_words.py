"""Words for villagers (issue 12, item 6): what a member reads on a text-only messenger says
"gõ số", never a bare "bấm"; abbreviations are spelled out; members and leaders alike are
addressed as "bạn"."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.core.i18n import Texts

TEXTS = Texts.load()
VI = TEXTS.catalogues["vi"]
FORMS = Path(__file__).parents[2] / "bot" / "reports" / "default_forms.toml"

# Shown only where there are buttons (Telegram), so "bấm" is right there.
BUTTONS_ONLY = {
    "hint.location",  # location pins: Telegram only (Zalo and the terminal type the place)
    "traps.kept_button",  # chosen for channels with buttons (traps.kept_typed elsewhere)
    "voice.not_here_buttons",  # chosen for channels with buttons (voice.not_here_typed elsewhere)
    "words.press",  # the word itself
}
ABBREVIATIONS = re.compile(r"\b(CCHT|TTXH|TB)\b")


def _form_strings() -> list[str]:
    """Every Vietnamese string of the default forms (titles, labels, prompts, options)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "vi" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(tomllib.loads(FORMS.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("key", sorted(k for k in VI if k not in BUTTONS_ONLY))
def test_no_bare_press_where_members_type(key: str) -> None:
    """'bấm' is written {press}: Context.t makes it 'gõ số' on text-only messengers."""
    assert not re.search(r"\b[Bb]ấm\b", VI[key]), f"{key}: write {{press}} instead of 'bấm'"


def test_press_is_typed_on_text_only_messengers() -> None:
    assert VI["words.press"] == "bấm"
    assert VI["words.type_number"] == "gõ số"
    # Where the messenger is unknown (a text built outside a chat), the neutral word.
    assert TEXTS.t("vi", "error.choice") == "Vui lòng chọn một lựa chọn bên dưới."


@pytest.mark.parametrize("key", sorted(VI))
def test_no_abbreviations_members_cannot_read(key: str) -> None:
    assert not ABBREVIATIONS.search(VI[key]), key


def test_no_abbreviations_in_the_forms() -> None:
    bad = [s for s in _form_strings() if ABBREVIATIONS.search(s)]
    assert bad == []


def test_the_household_book_is_gone() -> None:
    texts = list(VI.values()) + _form_strings()
    assert not [t for t in texts if "hộ khẩu" in t.lower()]
    assert VI["tally.target.residents_info"] == "Thông tin nhân khẩu"  # issue 15: "nhân khẩu"


@pytest.mark.parametrize("key", sorted(VI))
def test_everyone_is_addressed_as_ban(key: str) -> None:
    """Leaders read the same 'bạn' as members: no 'đồng chí', 'anh/chị' or 'quý vị'."""
    assert not re.search(r"đồng chí|anh/chị|anh chị|quý vị", VI[key], re.IGNORECASE), key
