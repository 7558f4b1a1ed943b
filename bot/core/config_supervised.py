"""The `[supervised]` config section: the register of people under management (content 4.5)."""

from __future__ import annotations

from pydantic import Field

from bot.core.config_movement import Section


class SupervisedSection(Section):
    """How the register of people under post-sentence management is kept.

    Local practice (the plans set no rhythm): a person on the register is visited at least
    every `visit_every_days` days, counted from the day they were put on it, then from their
    last visit; a person may carry their own rhythm (`antt-bot supervised add --every`).
    """

    visit_every_days: int = Field(default=30, ge=1, le=366)
    # A visit is "due soon" in /quanly when it falls due within this many days.
    due_soon_days: int = Field(default=7, ge=0, le=60)
