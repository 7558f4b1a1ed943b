"""The `[commend]` section: how long the commendation shortlists are and when they are ready.

Seed 002 (KH Toàn dân bảo vệ ANTQ, phường Phan Đình Phùng, 2025) commends by phase ("khen
thưởng phong trào thi đua theo đợt") and seed 004 (KH Ngày hội toàn dân bảo vệ ANTQ, huyện
Bắc Sơn, 7/2024) at the festival of 19 August; the lengths and the notice day are local
practice.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CommendSection(BaseModel):
    """Shortlist lengths and the festival notice; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    # Local practice: how many teams and members each shortlist shows, best first.
    top_teams: int = Field(default=5, ge=1, le=50)
    top_members: int = Field(default=10, ge=1, le=100)
    # Report numbers quoted per kind as evidence (the rest are counted: "… và 3 báo cáo khác").
    evidence_numbers: int = Field(default=5, ge=1, le=50)
    # Local practice: officers hear that the 19/8 shortlist is ready this many days before
    # (7: on 12/8); a phase's shortlist is announced on its last day.
    festival_notice_days: int = Field(default=7, ge=0, le=60)
