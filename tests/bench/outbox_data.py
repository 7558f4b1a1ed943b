"""The outbox benchmark's workload: which chats get how many messages, their texts, the config.

Most chats get 1 to 4 messages (reminders, notices); a few busy chats (a commune police
officer's alerts, a leader's digests) get 1.5% of all messages each. Rows are queued in a
seeded random order, as many planners' output interleaves, with realistic Vietnamese texts
(two-button reminders, notices, longer announcements). Every text ends with its row's dedupe
key, so the fake Bot API can tell a duplicate from a loss.
"""

from __future__ import annotations

import math
import random
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.core.clock import SystemClock, iso
from bot.core.model import Choice, Outbound
from storage import outbox
from storage.db import Database
from storage.outbox import Planned

TOKEN = "123:ABC"
CHANNEL = "telegram"
FIRST_CHAT = 5_200_000_000
BUSY_SHARE = 0.015  # of all messages, per busy chat
KEY = re.compile(r"#(bench-\d{6})$")

NAMES = ["Nguyễn Văn An", "Trần Thị Hà", "Lê Đức Hùng", "Hoàng Thu Lan", "Nông Quốc Sơn"]
UNITS = ["Thôn Nà Lẹng", "Thôn Khuôn Pinh", "Thôn Làng Mới", "Thôn Pác Lũng", "Thôn Còn Quan"]
REMIND = (
    "🔔 Nhắc báo cáo ngày {date}\nChào {name}, hôm nay bạn chưa gửi báo cáo nào. Hạn chót là "
    "21:00.\nCó việc thì bấm 📝 Báo cáo; nếu hôm nay không có gì, bấm ✅ Không có vụ việc — "
    "chỉ một lần bấm là xong."
)
DIGEST = (
    "📋 {unit} — báo cáo ngày {date} (hạn 21:00)\n❗ Chưa báo cáo: 2/9 người\n  • {name}\n"
    "  • Vi Văn Thắng\n🏖 Nghỉ phép, không tính thiếu: 1 người"
)
ANNOUNCE = (
    "📢 Thông báo của Công an xã Bắc Sơn\nTừ ngày {date}, các tổ bảo vệ an ninh, trật tự ở cơ "
    "sở tăng cường tuần tra ban đêm tại các tuyến đường liên thôn, khu vực chợ và trường học. "
    "Tổ trưởng {unit} phân công lịch trực, báo cáo kết quả hằng ngày qua bot trước 21:00. "
    "Phát hiện cháy, tai nạn hoặc đối tượng khả nghi, gửi tin báo ngay bằng nút 🔥 hoặc 📝."
)


@dataclass(frozen=True)
class Workload:
    """The rows to queue and how they are spread over chats."""

    items: list[Planned]
    chats: int
    busy_chats: int
    busy_each: int
    max_per_chat: int

    def describe(self) -> str:
        """One line for the benchmark's header."""
        quiet = len(self.items) - self.busy_chats * self.busy_each
        return (
            f"{len(self.items)} messages to {self.chats} chats: {self.busy_chats} busy chats "
            f"x {self.busy_each}, the other {self.chats - self.busy_chats} chats "
            f"{quiet / max(1, self.chats - self.busy_chats):.1f} on average "
            f"(max {self.max_per_chat} per chat); seeded random order"
        )


def chat_counts(messages: int, chats: int, rng: random.Random) -> tuple[list[int], int]:
    """Messages per chat (busy chats first) and how many chats are busy."""
    chats = max(1, min(chats, messages))
    busy = min(max(2, chats // 1000), chats // 10)
    busy_each = int(messages * BUSY_SHARE) if busy else 0
    if busy_each < 2 or messages - busy * busy_each < chats - busy:
        busy, busy_each = 0, 0
    others = chats - busy
    rest = messages - busy * busy_each
    counts = [busy_each] * busy + [1] * others
    cap = max(4, math.ceil(rest / others))
    spare = [i for i in range(busy, chats) for _ in range(cap - 1)]
    for i in rng.sample(spare, rest - others):
        counts[i] += 1
    return counts, busy


def make_workload(messages: int, chats: int, seed: int = 20261123) -> Workload:
    """The rows of one benchmark run, identical for a given (messages, chats, seed)."""
    rng = random.Random(seed)
    counts, busy = chat_counts(messages, chats, rng)
    order = [chat for chat, n in enumerate(counts) for _ in range(n)]
    rng.shuffle(order)
    now = iso(SystemClock().now())
    day = now[:10]
    buttons = [[Choice("📝 Báo cáo", "menu:report")], [Choice("✅ Không có vụ việc", "menu:nil")]]
    items = []
    for index, chat in enumerate(order):
        key = f"bench-{index:06d}"
        name, unit = NAMES[index % len(NAMES)], UNITS[chat % len(UNITS)]
        kind = index % 20
        if kind < 12:
            message = Outbound(REMIND.format(date=day, name=name) + f"\n#{key}", buttons)
        elif kind < 17:
            message = Outbound(DIGEST.format(date=day, name=name, unit=unit) + f"\n#{key}")
        else:
            message = Outbound(ANNOUNCE.format(date=day, unit=unit) + f"\n#{key}")
        chat_id = str(FIRST_CHAT + 7919 * chat)
        items.append(Planned(key, CHANNEL, chat_id, None, message.to_payload(), now))
    busy_each = counts[0] if busy else 0
    return Workload(items, len(counts), busy, busy_each, max(counts))


def key_of(text: str) -> str | None:
    """The dedupe key a benchmark text ends with."""
    found = KEY.search(text)
    return found.group(1) if found else None


def ident(text: str, chat_id: int | str) -> str | None:
    """One delivery's identity, "tag@chat": an announcement's members share its tag; None for
    texts without a tag (the sender's progress messages, replies to members who write)."""
    tag = key_of(text)
    return f"{tag}@{chat_id}" if tag else None


async def fill(db_path: Path, items: list[Planned]) -> None:
    """Create the database (migrations included) and queue every row as pending."""
    db = await Database(db_path).open()
    try:
        now = iso(SystemClock().now())
        async with db.transaction() as tx:
            queued = await outbox.enqueue_many(tx, items, now)
        if queued != len(items):
            raise SystemExit(f"queued {queued} of {len(items)} rows")
    finally:
        await db.close()


def status_counts(db_path: Path) -> dict[str, int]:
    """Rows per outbox status, read straight from the SQLite file."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
    return {str(status): int(n) for status, n in rows}


def write_config(path: Path, db_path: Path, base_url: str) -> None:
    """A config with the defaults except where the benchmark needs otherwise.

    Quiet hours are switched off (equal start and end): otherwise, at night in Vietnam, the
    sender would rightly hold every non-urgent row until the morning. The scheduler is off so
    that no reminder joins the measured stream.
    """
    path.write_text(
        f'[database]\npath = "{db_path}"\n\n'
        f'[telegram]\nbase_url = "{base_url}"\n\n'
        '[reminders]\nenabled = false\nquiet_start = "00:00"\nquiet_end = "00:00"\n',
        encoding="utf-8",
    )
