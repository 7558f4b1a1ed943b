"""The `[alerts]` section: how urgent reports (tips, fires) reach the police and move on."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EscalationStep(_Section):
    """One rung of the ladder: if nobody has acknowledged `after_minutes` after filing, the
    alert goes again to `to`: "commune" (every officer of the reporter's commune and above
    it, the first alert's people again) or "above" (the supervisors of the level above the
    commune)."""

    after_minutes: float = Field(gt=0, le=7 * 24 * 60)
    to: Literal["commune", "above"]


def _default_ladder() -> list[EscalationStep]:
    return [
        EscalationStep(after_minutes=15, to="commune"),
        EscalationStep(after_minutes=30, to="above"),
    ]


class OverdueDays(_Section):
    """How many days an urgent report may stay in each open state before it is flagged to
    the officers of its commune in the daily overdue list (local practice, not a seed)."""

    received: float = Field(default=1, gt=0, le=365)  # nobody has taken it up
    acknowledged: float = Field(default=2, gt=0, le=365)  # taken up, not yet verifying
    verifying: float = Field(default=7, gt=0, le=365)  # being verified, not yet closed


class AlertsSection(_Section):
    """The escalation ladder, the daily overdue list and the map link in alerts."""

    escalation: list[EscalationStep] = Field(default_factory=_default_ladder)
    overdue: OverdueDays = OverdueDays()
    overdue_at: time = time(7, 30)  # the daily list of overdue urgent reports, local time
    # A location in an alert becomes this link; {lat} and {lon} are filled in.
    map_url: str = "https://www.google.com/maps?q={lat},{lon}"

    @field_validator("escalation")
    @classmethod
    def _ascending(cls, value: list[EscalationStep]) -> list[EscalationStep]:
        times = [step.after_minutes for step in value]
        if times != sorted(times) or len(set(times)) != len(times):
            raise ValueError("escalation steps must come in order of after_minutes, each later")
        return value

    @field_validator("map_url")
    @classmethod
    def _map_link(cls, value: str) -> str:
        if value and ("{lat}" not in value or "{lon}" not in value):
            raise ValueError("map_url must contain {lat} and {lon} (or be empty for no link)")
        return value
