"""A small commune worked out by hand for the phase-report tests.

Xã Bắc Sơn has two teams; Đợt 1 runs 01/11–20/11/2026 (ended before the tests' today,
23/11/2026). Everyone joined on 25/10/2026.
- Thôn Nà Lẹng: An (member) and Bình (leader). An filed two patrols (03/11, 10/11) and one
  good deed (05/11, with a photo stored here and one on Telegram). Bình filed nothing.
- Thôn Khuôn Pinh: Em (member) filed one patrol (04/11).
- Xã Hữu Vĩnh (the other commune): Khánh (member of Thôn Làng Mới) filed a patrol.
Officers: Cường (Xã Bắc Sơn), Hải (Xã Hữu Vĩnh); Lan, supervisor of the province.

By hand, for Xã Bắc Sơn over Đợt 1:
- 4.6: 3 patrols reported; members who patrolled 2/3 (An, Em; not Bình): below "100% lực
  lượng … tham gia … tuần tra", so not met; teams meeting it 1/2 (Khuôn Pinh 1/1; Nà Lẹng 1/2).
- 4.7: 1 good deed; each team owes 1 a month (20 days round to one month), the commune 2:
  not met; teams meeting it 1/2.
- 4.1: no tip: every tip target "did not arise".
- Best team: each team meets 4 of its 7 applicable targets (no violating business, no
  weapons, no serious accident, and patrol for Khuôn Pinh, good deeds for Nà Lẹng; neither
  has a recognised model nor reports on 90% of days); Nà Lẹng reported on more of its
  member-days (3/40 against 1/20), so it ranks first.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from storage import reports
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    START,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    make_harness,
)

PHASE = {"name": "Đợt 1", "theme": "Chào mừng 95 năm thành lập Đảng", "start": "2026-11-01",
         "end": "2026-11-20"}  # fmt: skip
LATER = {"name": "Đợt 2", "theme": "", "start": "2026-11-21", "end": "2027-02-03"}
FUTURE = {"name": "Đợt 3", "theme": "", "start": "2027-02-04", "end": "2027-08-19"}
SO_KET = "Báo cáo sơ kết Đợt 1"
TONG_KET = "Báo cáo tổng kết"
TG_PHOTO = "tg:AgACAgTelegramPhoto1"

IDS = {"an": 1, "binh": 2, "em": 3, "khanh": 4, "cuong": 11, "hai": 12, "lan": 14}


def config_for(tmp_path: Path, **reminders: Any) -> Config:
    """Three phases (one ended, one running, one to come) and two report milestones."""
    return Config.model_validate(
        {
            "zalo": {"media_dir": str(tmp_path / "media")},
            "tally": {"phases": [PHASE, LATER, FUTURE]},
            "reminders": {
                "milestones": [
                    {
                        "name": SO_KET,
                        "due": "2026-11-30",
                        "report": "so_ket",
                        "phase": "Đợt 1",
                        "roles": ["leader", "officer", "supervisor"],
                    },  # fmt: skip
                    {"name": TONG_KET, "due": "2027-08-10", "report": "tong_ket"},
                ],
                **reminders,
            },
        }
    )


def png(color: str = "red") -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


async def add_report(
    h: Harness, member_id: int, kind: str, day: str, data: dict[str, Any], *, urgent: bool = False
) -> None:
    """A report filed at 20:00 on its day, numbered in order."""
    async with h.db.transaction() as tx:
        row = await tx.fetchone("SELECT unit_id FROM members WHERE id = ?", (member_id,))
        assert row is not None
        count = await tx.fetchone("SELECT count(*) AS n FROM reports")
        assert count is not None
        number = f"BC-2026-{int(count['n']) + 1:06d}"
        filed = datetime.fromisoformat(day + "T20:00").replace(tzinfo=h.clock.tz)
        await reports.create(
            tx,
            number=number,
            member_id=member_id,
            unit_id=int(row["unit_id"]),
            kind=kind,
            report_date=day,
            data=data,
            urgent=urgent,
            now_iso=iso(filed),
            edit_until_iso=iso(filed),
        )


async def world(tmp_path: Path, **reminders: Any) -> tuple[Harness, dict[str, int], Path]:
    """The commune above, at 23/11/2026 09:00; returns the harness, member ids by name, and
    the stored photo's path."""
    config = config_for(tmp_path, **reminders)
    h = await make_harness(tmp_path, ManualClock(datetime(2026, 10, 25, 9, 0)), config)
    ids = {
        "an": await h.add_member(IDS["an"], "Nguyễn Văn An", "member", TEAM_A),
        "binh": await h.add_member(IDS["binh"], "Lý Thị Bình", "leader", TEAM_A),
        "em": await h.add_member(IDS["em"], "Vi Thị Em", "member", TEAM_B),
        "khanh": await h.add_member(IDS["khanh"], "Vi Văn Khánh", "member", TEAM_C),
        "cuong": await h.add_member(IDS["cuong"], "Hoàng Văn Cường", "officer", COMMUNE),
        "hai": await h.add_member(IDS["hai"], "Vi Văn Hải", "officer", OTHER_COMMUNE),
        "lan": await h.add_member(IDS["lan"], "Đinh Thị Lan", "supervisor", PROVINCE),
    }
    media = tmp_path / "media" / "zalo"
    media.mkdir(parents=True)
    photo = media / "m123.png"
    photo.write_bytes(png())
    patrol = {"shift": "19:00-21:00", "route": "Đường liên thôn", "teammates": []}
    await add_report(h, ids["an"], "patrol", "2026-11-03", patrol)
    await add_report(h, ids["an"], "patrol", "2026-11-10", patrol)
    await add_report(h, ids["em"], "patrol", "2026-11-04", patrol)
    await add_report(h, ids["khanh"], "patrol", "2026-11-04", patrol)
    deed = {"what": "Giúp bà cụ sửa mái nhà", "for_whom": "Bà Lý Thị Mai",
            "photos": ["file:" + str(photo), TG_PHOTO]}  # fmt: skip
    await add_report(h, ids["an"], "good_deed", "2026-11-05", deed)
    h.clock.set(START)
    return h, ids, photo
