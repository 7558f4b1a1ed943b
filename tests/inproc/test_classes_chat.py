"""The real tally classifies residential areas and the commune (the plans' four levels) and
/thongke says so as a suggestion, in the message and in the CSV it sends."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.config import Config, TallySection
from bot.core.config_classes import ClassRule
from tests.inproc.helpers import file_patrol
from tests.support.harness import COMMUNE, TEAM_A, TEAM_B, Harness, make_harness

COLUMN = "Gợi ý xếp loại phong trào (do cấp có thẩm quyền quyết định)"


async def tally_of_commune(h: Harness) -> tuple[str, list[list[str]]]:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(3, "Hoàng Văn Cường", "member", TEAM_B)
    await h.add_member(4, "Trần Văn Dũng", "officer", COMMUNE)
    await file_patrol(h.user(1))
    replies = await h.user(4).send("/thongke")
    [text] = [m.text for m in replies if m.file_kind is None]
    [sheet] = [m for m in replies if str(m.file_name).endswith(".csv")]
    rows = list(csv.reader(io.StringIO((sheet.file_data or b"").decode("utf-8-sig"))))
    return text, rows


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(tmp_path)
    yield harness
    await harness.close()


async def test_the_commune_and_its_areas_get_a_suggested_class(h: Harness) -> None:
    text, rows = await tally_of_commune(h)
    assert "⭐ Gợi ý xếp loại phong trào của Xã Bắc Sơn: " in text
    assert "(do cấp có thẩm quyền quyết định)" in text
    assert "   Khu dân cư (thôn, tổ dân phố): Tốt " in text
    column = rows[0].index(COLUMN)
    assert {r[0]: r[column] for r in rows[1:]}.keys() == {"Thôn Nà Lẹng", "Thôn Khuôn Pinh"}
    assert all(r[column] in {"Tốt", "Khá", "Trung bình", "Yếu"} for r in rows[1:])


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[Harness]:
    """Rules of one's own: an area is tốt only with every target met, else yếu; with no
    commune rule, every commune is yếu."""
    rules = [ClassRule(scope="area", level="tot", min_targets_met=1.0)]
    harness = await make_harness(tmp_path, config=Config(tally=TallySection(classes=rules)))
    yield harness
    await harness.close()


async def test_configured_rules_are_the_ones_applied(strict: Harness) -> None:
    text, rows = await tally_of_commune(strict)
    assert (
        "⭐ Gợi ý xếp loại phong trào của Xã Bắc Sơn: Yếu (do cấp có thẩm quyền quyết định)" in text
    )
    column = rows[0].index(COLUMN)
    assert {r[column] for r in rows[1:]} == {"Yếu"}  # nobody meets every target on day one
