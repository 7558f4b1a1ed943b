"""The terminal demo: a small province, a commune, two village teams and a user per role."""

from __future__ import annotations

import importlib.resources
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import Runtime, build_services
from bot.channels.console import ConsoleChannel, ConsoleSession
from bot.core import dates
from bot.core.clock import Clock, OffsetClock, iso
from bot.core.config import Config
from bot.core.roles import role_label
from bot.demo.history import DAYS, seed_history
from bot.people.announcements import report_progress
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from bot.units.orgimport import import_org
from bot.web.server import WebServer
from storage import invites, members, units
from storage.db import Store

COMMUNE = "Tỉnh Lạng Sơn/Xã Bắc Sơn"
TEAM_A = f"{COMMUNE}/Thôn Nà Lẹng"
TEAM_B = f"{COMMUNE}/Thôn Khuôn Pinh"
INVITE_CODE = "NALENG26"


@dataclass(frozen=True)
class DemoUser:
    key: str
    name: str
    role: str
    unit: str


USERS = [
    DemoUser("an", "Nguyễn Văn An", "member", TEAM_A),
    DemoUser("binh", "Trần Thị Bình", "leader", TEAM_A),
    DemoUser("chau", "Hoàng Minh Châu", "deputy", TEAM_A),
    DemoUser("cuong", "Lê Văn Cường", "member", TEAM_B),
    DemoUser("dung", "Phạm Văn Dũng", "officer", COMMUNE),
    DemoUser("ha", "Vũ Thu Hà", "supervisor", "Tỉnh Lạng Sơn"),
    DemoUser("quan", "Đỗ Minh Quân", "admin", "Tỉnh Lạng Sơn"),
]
NEWCOMER = ("moi", "Lý Thị Mai (chưa tham gia)", "Lý Thị Mai")


async def seed(db: Store, clock: Clock) -> bool:
    """Load the demo organisation and users once; False when the database already has them."""
    async with db.read() as tx:
        if await units.any_unit(tx):
            return False
    org = importlib.resources.files("bot") / "demo" / "org.csv"
    with importlib.resources.as_file(org) as path:
        await import_org(db, Path(path), clock)
    now = iso(clock.now())
    joined = iso(clock.now() - timedelta(days=DAYS + 1))
    people: dict[str, dict[str, int]] = {}
    async with db.transaction() as tx:
        for user in USERS:
            unit = await units.get_by_path(tx, user.unit)
            assert unit is not None
            member_id = await members.create(tx, unit.id, user.role, user.name, "vi", joined)
            await members.link_identity(tx, "console", user.key, user.key, member_id, now)
            people[user.key] = {"id": member_id, "unit_id": unit.id}
        await seed_history(tx, clock, people)
        team = await units.get_by_path(tx, TEAM_A)
        assert team is not None
        expires = iso(clock.now() + timedelta(days=365))
        await invites.create(tx, INVITE_CODE, team.id, "member", 50, expires, now)
    return True


def banner(out: TextIO) -> None:
    """Tell a newcomer what they can try, in the language of the users."""
    lines = [
        "═" * 64,
        " antt-bot — bản demo trên terminal (chưa cấu hình ANTT_TELEGRAM_TOKEN)",
        "═" * 64,
        "Người dùng demo (gõ :la <tên> để đổi người):",
    ]
    for user in USERS:
        lines.append(f"  {user.key:6} {user.name} — {role_label(user.role, 'vi')}")
    lines.append(f"  {NEWCOMER[0]:6} {NEWCOMER[1]}")
    lines += [
        "",
        "Thử ngay:",
        f"  1. :la moi   rồi  /start {INVITE_CODE}      (tham gia tổ Thôn Nà Lẹng)",
        "  2. :la an    rồi  /baocao                (gõ số để bấm nút)",
        "  3. gửi báo cáo PCCC 🔥 → :la dung để thấy tin báo và bấm “Đã tiếp nhận”",
        "  4. :la ha     rồi  /thongke               (thống kê 6 tuần báo cáo mẫu, kèm tệp)",
        "  5. :gio 19:00  tua đồng hồ tới 19:00 để xem nhắc báo cáo (:gio 21:05: tổ trưởng",
        "                 nhận danh sách chưa báo cáo; :gio 06:30: tin chờ qua đêm được gửi)",
        "Gõ :help để xem lệnh của terminal, :thoat để thoát.",
    ]
    out.write("\n".join(lines) + "\n")


async def run_demo(
    config: Config, out: TextIO | None = None, read_line: object | None = None
) -> None:
    """Start the console demo on its own SQLite file and talk to the terminal."""
    stream = out or sys.stdout
    clock = OffsetClock(config.bot.timezone)
    services = await build_services(config, clock, db_path=config.demo.database_path)
    await seed(services.db, services.clock)
    runtime = Runtime(services)
    names = {u.key: f"{u.name} ({role_label(u.role, 'vi')})" for u in USERS}
    names[NEWCOMER[0]] = NEWCOMER[1]
    files_dir = Path(config.demo.database_path).parent / "demo-files"
    channel = ConsoleChannel(stream, names, files_dir=files_dir)
    sender = runtime.add_channel(channel)
    planning = Planning(services, jobs_from(config, clock.tz))

    async def after_each() -> None:
        """Between two typed lines: plan the schedule slots now due, then deliver."""
        await planning.tick()
        await report_progress(services)
        await sender.drain_once()

    def time_travel(typed: str) -> str:
        """':gio 19:00' moves the bot's clock forward to the next 19:00."""
        try:
            hour, minute = (int(p) for p in typed.replace("h", ":").split(":"))
            now = clock.now()
            target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError:
            return "Cách dùng: :gio 19:00 (tua tới 19:00 sắp tới)"
        if target <= now:
            target += timedelta(days=1)
        clock.forward_to(target)
        return f"🕒 Đồng hồ của bot: {dates.stamp(clock.now())}"

    session = ConsoleSession(
        runtime.engine,
        channel,
        names,
        "an",
        read_line=read_line,  # type: ignore[arg-type]
        display_names={**{u.key: u.name for u in USERS}, NEWCOMER[0]: NEWCOMER[2]},
        after_each=after_each,
        time_travel=time_travel,
    )
    banner(stream)
    stream.write(f"(Dữ liệu demo lưu ở {config.demo.database_path})\n")
    web_server = (
        WebServer(services, config.web.host, config.web.port) if config.web.enabled else None
    )
    try:
        if web_server is not None:
            await web_server.start()
            stream.write(
                f"🌐 Trang web: {config.web.public_url} (:la ha rồi /web để nhận liên kết đăng"
                " nhập)\n"
            )
        await session.loop()
    finally:
        if web_server is not None:
            await web_server.stop()
        await runtime.stop()
