"""The 21:00 rush: the real bot against a fake Bot API that enforces Telegram's 30 messages/s.

    python -m tests.bench.rush [--members 500] [--runs 3] [--scale 0.1] [--latency-ms 50]

The real application (Runtime + TelegramChannel, its rate limiter and update processor,
polling through Updater.start_polling) talks to an in-process fake Bot API that answers
every call after `--latency-ms` and allows a bot 30 messages a second (a token bucket of 30,
refilled at 30/s; sends and edits count, answering a button press does not); beyond it, it
answers 429 with retry_after, as Telegram does.

The members sit in village teams of five and the bot's clock starts at 21:05 local time
(after the evening shift, before quiet hours), whatever the hour the benchmark runs.

(a) `--members` members each start a patrol report at the same moment and answer every
question the instant it arrives. Printed: total time, the floor (messages sent / 30 per
second), their ratio (goal <= 1.1) and messages per patrol.

(b) Members arrive evenly over a window, think 2-5 s before each answer, while a reminder
wave drains from the outbox (at the configured 25/s). Full size is 500 members over 10
minutes and a 15,000-message wave; `--scale` shrinks the member count, the window and the
wave by the same factor (default 0.1: 50 members over 60 s, 1,500 messages), so the
arrival rate, the think times and the load against the cap are those of the full rush.
Printed: p50/p95 wait per step (from the member's answer to the next question on screen).

The member driver answers whatever it is shown, as a member filing a first patrol: it
presses "Như lần trước" if offered, the summary's "Gửi báo cáo", "Xong" on a pick-list,
else the first option button; it types a time, a count or a route when a text is asked.
Not a test: it prints numbers and only checks that every member filed exactly one report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.core.clock import iso
from bot.core.config import Config
from storage import members, outbox, units
from tests.support.fakebot import FakeBotAPI, Sent, callback_update, text_update

TEAM = "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn"
TEAM_SIZE = 5  # members per village team, as in the field (3 to 6)


class EveningClock:
    """Real time, started at 21:05 local today: the rush comes after the evening shift
    (19:00-21:00) and before quiet hours (21:30), whatever the hour the benchmark runs."""

    def __init__(self, tz: str) -> None:
        self.tz = ZoneInfo(tz)
        start = datetime.now(self.tz).replace(hour=21, minute=5, second=0, microsecond=0)
        self.offset = start - datetime.now(self.tz)

    def now(self) -> datetime:
        """21:05 when the benchmark started, moving at the real pace since."""
        return datetime.now(self.tz) + self.offset


CAP = 30.0
MESSAGES = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument"}
NAV = ("Quay lại", "Hủy", "Bỏ qua", "Menu", "Sửa")
SAVED = "Đã lưu báo cáo"
SUMMARY = "Xem lại báo cáo"


class CappedAPI(FakeBotAPI):
    """The fake Bot API with network latency, a 30/s cap and a timeline per chat."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency
        self.tokens = CAP
        self.refilled = time.monotonic()
        self.messages_sent = 0
        self.too_many = 0
        self.timeline: dict[int, list[Sent]] = defaultdict(list)
        self.arrived: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        api_method = url.rsplit("/", 1)[-1]
        if api_method != "getUpdates":
            await asyncio.sleep(self.latency)
        if api_method in MESSAGES:
            now = time.monotonic()
            self.tokens = min(CAP, self.tokens + (now - self.refilled) * CAP)
            self.refilled = now
            if self.tokens < 1:
                self.too_many += 1
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
                return 429, json.dumps(body).encode()
            self.tokens -= 1
            self.messages_sent += 1
        status, body = await super().do_request(url, method, request_data, **kw)
        if api_method in {"sendMessage", "editMessageText"} and status == 200:
            params = dict(request_data.parameters) if request_data else {}
            chat = int(params["chat_id"])
            if chat in self.arrived:
                shown = self.messages.get((chat, json.loads(body)["result"]["message_id"]))
                if shown is not None:
                    self.timeline[chat].append(shown)
                    self.arrived[chat].set()
        return status, body


async def build(members_count: int, latency: float, tmp: Path) -> tuple[Any, ...]:
    """The real application on the capped fake, with members enrolled in one team."""
    config = Config()
    config.telegram.token = SecretStr("123456:RUSH-TOKEN")
    clock = EveningClock(config.bot.timezone)
    services = await build_services(config, clock, str(tmp / "b.db"))
    runtime = Runtime(services)
    api = CappedAPI(latency)
    channel = TelegramChannel(config, runtime.engine, request=api, updates_request=api)
    runtime.add_channel(channel)
    await channel.application.initialize()
    now = iso(services.clock.now())
    async with services.db.transaction() as tx:
        parent = None
        teams = [f"{TEAM} {n + 1}" for n in range((members_count + TEAM_SIZE - 1) // TEAM_SIZE)]
        for path, kind in [
            ("Tỉnh Lạng Sơn", "province"),
            ("Tỉnh Lạng Sơn/Xã Bắc Sơn", "commune"),
            *[(team, "village") for team in teams],
        ]:
            await units.upsert(tx, path, kind, parent, now)
        for i in range(members_count):
            uid = 100_000 + i
            unit = await units.get_by_path(tx, teams[i // TEAM_SIZE])
            assert unit is not None
            member = await members.create(tx, unit.id, "member", f"Tổ viên {i}", "vi", now)
            await members.link_identity(tx, "telegram", str(uid), str(uid), member, now)
    for i in range(members_count):
        api.arrived[100_000 + i] = asyncio.Event()
    return services, runtime, api, channel


def _answer(uid: int, shown: Sent) -> dict[str, Any]:
    """The next update of a member who reads `shown` (the latest thing the bot said)."""
    labels = shown.labels()
    text = shown.text

    def press(part: str) -> dict[str, Any] | None:
        for row in shown.buttons:
            for b in row:
                if part in b["text"]:
                    return callback_update(uid, shown, b["callback_data"])
        return None

    for part in ("Như lần trước", "Gửi báo cáo", "Tuần tra", "Xong"):
        if part in " ".join(labels) and (found := press(part)):
            return found
    options = [b for row in shown.buttons for b in row if not any(n in b["text"] for n in NAV)]
    lowered = text.lower()
    typed: str | None = None
    if "mấy giờ" in lowered or "giờ" in lowered and "ca" in lowered:
        typed = "21:00" if "kết thúc" in lowered else "19:00"
        if "ca " in lowered or "từ" in lowered:
            typed = "19:00-21:00"
    elif "bao nhiêu" in lowered:
        typed = "0"
    elif "tuyến" in lowered or "địa bàn" in lowered:
        typed = "Đường liên thôn Nà Lẹng"
    if typed is None and options:
        return callback_update(uid, shown, options[0]["callback_data"])
    if typed is None and (found := press("Bỏ qua")):
        return found
    return text_update(uid, typed or "Đường liên thôn Nà Lẹng")


async def member(
    uid: int, api: CappedAPI, think: tuple[float, float], waits: list[float], rng: random.Random
) -> int:
    """File one patrol report answering whatever is asked; returns the steps taken."""
    event = api.arrived[uid]
    update = text_update(uid, "/baocao")
    for step in range(1, 40):
        seen = len(api.timeline[uid])
        event.clear()
        asked = time.monotonic()
        api.updates.append(update)
        while len(api.timeline[uid]) == seen:
            try:
                await asyncio.wait_for(event.wait(), 120)
            except TimeoutError:
                raise RuntimeError(f"member {uid} got no answer at step {step}") from None
            event.clear()
        waits.append(time.monotonic() - asked)
        await asyncio.sleep(0.05)  # the rest of a multi-message reply
        shown = api.timeline[uid][-1]
        if SAVED in shown.text:
            return step
        if think[1]:
            await asyncio.sleep(rng.uniform(*think))
        update = _answer(uid, shown)
    raise RuntimeError(f"member {uid} did not finish: {api.timeline[uid][-1].text[:200]}")


async def run(args: argparse.Namespace, scenario: str) -> dict[str, float]:
    """One run of scenario a or b in a fresh database."""
    scale = args.scale if scenario == "b" else 1.0
    count = args.members if scenario == "a" else max(1, round(500 * scale))
    with tempfile.TemporaryDirectory() as tmp:
        services, runtime, api, channel = await build(count, args.latency_ms / 1000, Path(tmp))
        wave = round(15_000 * scale) if scenario == "b" else 0
        if wave:
            now = iso(services.clock.now())
            async with services.db.transaction() as tx:
                for i in range(wave):
                    await outbox.enqueue(
                        tx,
                        dedupe_key=f"wave:{i}",
                        channel="telegram",
                        chat_id=str(5_000_000 + i),
                        member_id=None,
                        payload={"text": "⏰ Nhắc báo cáo hôm nay.", "choices": []},
                        not_before_iso=now,
                        now_iso=now,
                    )
        runtime.start_senders()  # as in production: replies refused by a 429 go this way
        app = channel.application
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0)
        rng = random.Random(7)
        waits: list[float] = []
        started = time.monotonic()
        think = (0.0, 0.0) if scenario == "a" else (2.0, 5.0)
        window = 600.0 * scale if scenario == "b" else 0.0

        async def arrive(i: int) -> int:
            await asyncio.sleep(window * i / count)
            return await member(100_000 + i, api, think, waits, rng)

        steps = await asyncio.gather(*(arrive(i) for i in range(count)))
        elapsed = time.monotonic() - started
        sent_during = api.messages_sent
        await app.updater.stop()
        await channel.settle()
        await app.stop()
        await app.shutdown()
        async with services.db.read() as tx:
            row = await tx.fetchone("SELECT count(*) FROM reports")
        await runtime.stop()
        reports = int(row[0]) if row else 0
        if reports != count:
            raise RuntimeError(f"{reports} reports for {count} members")
        quantiles = statistics.quantiles(waits, n=20)
        return {
            "members": count,
            "seconds": elapsed,
            "messages": sent_during,
            "floor": sent_during / CAP,
            "per_patrol": sent_during / count if scenario == "a" else float("nan"),
            "steps": statistics.mean(steps),
            "p50": statistics.median(waits),
            "p95": quantiles[18],
            "429": api.too_many,
            "wave": wave,
        }


def main() -> None:
    """Run both scenarios and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=500, help="scenario (a) members")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.1, help="scenario (b) size, 1 = full")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--only", choices=["a", "b"], default=None)
    args = parser.parse_args()
    print("antt-bot rush benchmark")
    print(
        f"  Python {sys.version.split()[0]}; fake Bot API: {CAP:.0f} messages/s per bot, ", end=""
    )
    print(f"{args.latency_ms:.0f} ms per call")
    for scenario in ("a", "b"):
        if args.only and scenario != args.only:
            continue
        if scenario == "a":
            print(f"\n(a) {args.members} members start a patrol at the same moment, no thinking")
            print(
                "  run  seconds  messages  floor s  ratio  msgs/patrol  steps  p50 s  p95 s  429s"
            )
        else:
            s = args.scale
            print(
                f"\n(b) {round(500 * s)} members over {600 * s:.0f} s, 2-5 s thought per step, "
                f"while a {round(15_000 * s)}-message reminder wave drains (scale {s} of "
                "500 members / 10 min / 15,000)"
            )
            print("  run  seconds  messages  steps  p50 s  p95 s  429s")
        results = []
        for n in range(1, args.runs + 1):
            r = asyncio.run(run(args, scenario))
            results.append(r)
            if scenario == "a":
                print(
                    f"  {n:>3}  {r['seconds']:7.1f}  {r['messages']:8.0f}  {r['floor']:7.1f}  "
                    f"{r['seconds'] / r['floor']:5.2f}  {r['per_patrol']:11.2f}  "
                    f"{r['steps']:5.1f}  {r['p50']:5.2f}  {r['p95']:5.2f}  {r['429']:4.0f}"
                )
            else:
                print(
                    f"  {n:>3}  {r['seconds']:7.1f}  {r['messages']:8.0f}  {r['steps']:5.1f}  "
                    f"{r['p50']:5.2f}  {r['p95']:5.2f}  {r['429']:4.0f}"
                )
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        if scenario == "a":
            print(
                f"  median: {med['seconds']:.1f} s against a floor of {med['floor']:.1f} s "
                f"(ratio {statistics.median(r['seconds'] / r['floor'] for r in results):.2f}), "
                f"{med['per_patrol']:.2f} messages per patrol, p50 {med['p50']:.2f} s, "
                f"p95 {med['p95']:.2f} s per step"
            )
        else:
            print(f"  median: p50 {med['p50']:.2f} s, p95 {med['p95']:.2f} s wait per step")


if __name__ == "__main__":
    main()
