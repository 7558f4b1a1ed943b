"""A province whose forms name the fire, tip and administrative kinds otherwise gets the same
tally: the default kinds are read through their own partial indexes, other names through the
kind index, and both must count alike (the golden dataset, its kinds renamed)."""

from __future__ import annotations

from typing import Any

from bot.core.config import Config, TallySection
from bot.tally.compute import Tally, compute
from bot.tally.periods import month
from storage import units
from tests.inproc.test_tally_golden import KINDS, NOW, P, World, X, world

__all__ = ["world"]  # the golden dataset's fixture, used below

RENAMED = {"fire_rescue": "chay_no", "tip": "tin_bao", "admin_order": "hanh_chinh"}


async def _tally(w: World, path: str, config: Config, kinds: list[str]) -> Tally:
    async with w.db.read() as tx:
        unit = await units.get_by_path(tx, path)
        assert unit is not None
        return await compute(tx, unit, month(NOW.date(), 15, -1), config, kinds, NOW)


def _lines(tally: Tally, back: dict[str, str]) -> dict[str, Any]:
    """Each unit's figures and target marks, the renamed kinds named as by default again."""
    out: dict[str, Any] = {}
    for u in tally.units:
        figures = dict(u.figures.__dict__)
        figures["by_kind"] = {back.get(k, k): n for k, n in u.figures.by_kind.items()}
        marks = {key: (r.met, r.value) for key, r in u.targets.items()}
        out[u.name] = (figures, marks, u.rating)
    return out


async def test_renamed_kinds_count_as_the_default_ones(world: World) -> None:
    default = Config(tally=TallySection(month_starts_on=15))
    before = {path: await _tally(world, path, default, KINDS) for path in (P, X)}
    assert before[X].root.figures.fires and before[X].root.figures.tips
    assert before[X].root.figures.businesses_violating + before[X].root.figures.weapons_cases

    async with world.db.transaction() as tx:
        for old, new in RENAMED.items():
            await tx.execute("UPDATE reports SET kind = ? WHERE kind = ?", (new, old))
    sources = {"fire_kind": "chay_no", "tip_kind": "tin_bao", "admin_kind": "hanh_chinh"}
    renamed = Config.model_validate({"tally": {"month_starts_on": 15, "sources": sources}})
    kinds = [RENAMED.get(k, k) for k in KINDS]
    back = {new: old for old, new in RENAMED.items()}
    for path in (P, X):
        after = await _tally(world, path, renamed, kinds)
        assert _lines(after, back) == _lines(before[path], {})
