"""The terminal channel: the demo and manual testing, choices as numbered lines.

Several people share one terminal, so the console keeps a current identity that `:as`
switches; messages the bot starts for someone else are printed with that person's name.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.core.engine import Engine
from bot.core.model import Inbound, Location, Outbound, Voice, render_text

NAME = "console"

log = logging.getLogger(__name__)


class ConsoleChannel:
    """Prints to a stream; `deliver` is used by the outbox for alerts and notices."""

    name = NAME
    numbered = True
    locations = True
    files = True  # written to a folder and named on screen

    def __init__(
        self,
        out: TextIO | None = None,
        names: dict[str, str] | None = None,
        files_dir: str | Path = "data/demo-files",
    ) -> None:
        self.out = out or sys.stdout
        self.names = names if names is not None else {}
        self.files_dir = Path(files_dir)
        self._ids = itertools.count(1)

    def show(self, chat_id: str, message: Outbound, header: str = "🤖") -> None:
        """Print one message for a chat, with who it is for."""
        who = self.names.get(chat_id, chat_id)
        body = render_text(message)
        indented = "\n".join("   " + line if line else "" for line in body.splitlines())
        self.out.write(f"\n{header} → {who}\n{indented}\n")
        self.out.flush()

    async def save_attachments(self, message: Outbound) -> list[Path]:
        """A terminal cannot show files: write them to `files_dir` and print where they are."""
        saved: list[Path] = []
        for item in message.attachments:
            if item.ref:  # a file the messenger holds (voice note, photo): nothing to write
                icon = "🎤" if item.kind == "voice" else "📷"
                self.out.write(f"   {icon} {item.caption}\n")
                continue
            try:
                data = await item.render()
            except Exception as err:
                log.error("attachment not built", extra={"error": type(err).__name__})
                if item.failed_text:
                    self.out.write(f"   {item.failed_text}\n")
                break
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / item.filename
            path.write_bytes(data)
            saved.append(path)
            self.out.write(f"   📎 {path} ({len(data):,} B)\n")
        self.out.flush()
        return saved

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str | None:
        """Print a message the bot starts (alert, notice) for its recipient."""
        self.show(chat_id, message, header="📨 Tin nhắn mới")
        if message.attachments:
            await self.save_attachments(message)
        return f"console-{next(self._ids)}"

    async def edit(self, chat_id: str, message_id: str, text: str, *, urgent: bool = False) -> None:
        """Terminals cannot edit: print the update as a new line."""
        self.show(chat_id, Outbound(text), header="✏️ Cập nhật tin nhắn")


class ConsoleSession:
    """Reads lines, turns them into updates from the current identity, prints the replies."""

    def __init__(
        self,
        engine: Engine,
        channel: ConsoleChannel,
        identities: dict[str, str],
        current: str,
        *,
        read_line: Callable[[], str] | None = None,
        after_each: Callable[[], object] | None = None,
        display_names: dict[str, str] | None = None,
        time_travel: Callable[[str], str] | None = None,
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.identities = identities  # chat id -> display name
        self.current = current
        self.read_line = read_line or sys.stdin.readline
        self.after_each = after_each
        self.display_names = display_names or {}
        self.time_travel = time_travel  # ':gio 19:00' in the demo; returns what to print
        self._counter = itertools.count(1)

    def _print(self, text: str) -> None:
        self.channel.out.write(text + "\n")
        self.channel.out.flush()

    def help(self) -> None:
        """List the terminal-only commands."""
        self._print(
            "Lệnh của bản demo (terminal):\n"
            "  :ai                 danh sách người dùng demo\n"
            "  :la <tên>           đổi sang người dùng khác (ví dụ :la dung)\n"
            "  :anh                gửi một ảnh mẫu\n"
            "  :vitri <vĩ> <kinh>  gửi vị trí, ví dụ :vitri 21.90 106.09\n"
            "  :thoai [giây]       gửi một tin nhắn thoại mẫu (như Telegram), ví dụ :thoai 12\n"
            "  :gio <giờ:phút>     tua đồng hồ của bot tới giờ đó, ví dụ :gio 19:00\n"
            "  :thoat              thoát\n"
            "Gõ số để bấm nút, hoặc gõ câu trả lời. Lệnh của bot: /start, /baocao, /huy, ..."
        )

    async def send(self, text: str | None = None, **fields: object) -> list[Outbound]:
        """Send one update as the current identity and print the replies."""
        n = next(self._counter)
        inbound = Inbound(
            channel=NAME,
            chat_id=self.current,
            user_id=self.current,
            update_key=f"{self.current}:{n}:{id(self)}",
            text=text,
            display_name=self.display_names.get(self.current),
            **fields,  # type: ignore[arg-type]
        )
        replies = await self.engine.handle(inbound)
        for reply in replies:
            self.channel.show(self.current, reply)
            await self.channel.save_attachments(reply)
        return replies

    async def handle_line(self, line: str) -> bool:
        """Process one typed line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in {":thoat", ":quit", ":q"}:
            return False
        if line in {":help", ":?", ":trogiup"}:
            self.help()
        elif line in {":ai", ":who"}:
            for key, name in self.identities.items():
                mark = "👉" if key == self.current else "  "
                self._print(f" {mark} {key:8} {name}")
        elif line.startswith((":la ", ":as ")):
            key = line.split(maxsplit=1)[1].strip()
            if key in self.identities:
                self.current = key
                self._print(f"Bây giờ bạn là: {self.identities[key]} ({key})")
            else:
                self._print(f"Không có người dùng '{key}'. Gõ :ai để xem danh sách.")
        elif line.startswith((":gio", ":time")) and self.time_travel is not None:
            self._print(self.time_travel(line.partition(" ")[2].strip()))
        elif line.split()[0] in {":anh", ":photo", ":thoai", ":voice"}:
            await self._sample(line)
        elif line.startswith((":vitri", ":loc")):
            parts = line.split()
            try:
                await self.send(location=Location(float(parts[1]), float(parts[2])))
            except (IndexError, ValueError):
                self._print("Cách dùng: :vitri 21.90 106.09")
        else:
            await self.send(line)
        return True

    async def _sample(self, line: str) -> None:
        """A sample photo, or a demo voice note as Telegram sends one (a file, its length)."""
        parts = line.split()
        if parts[0] in {":anh", ":photo"}:
            await self.send(photo=f"demo-photo-{next(self._counter)}")
            return
        seconds = parts[1] if len(parts) > 1 else "8"
        if seconds.isdigit():
            await self.send(voice=Voice(f"demo-voice-{next(self._counter)}", int(seconds)))
        else:
            self._print("Cách dùng: :thoai 12")

    async def loop(self) -> None:
        """Read until :thoat or end of input."""
        loop = asyncio.get_running_loop()
        while True:
            name = self.identities.get(self.current, self.current)
            self.channel.out.write(f"\n[{name}] > ")
            self.channel.out.flush()
            line = await loop.run_in_executor(None, self.read_line)
            if line == "":
                break
            if not await self.handle_line(line):
                break
            if self.after_each is not None:
                result = self.after_each()
                if asyncio.iscoroutine(result):
                    await result
