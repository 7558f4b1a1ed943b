"""`antt-bot outbox` as an operator runs it: the summary, the rows that need a look, filters,
retrying given-up messages, bad input, and no personal data on the screen."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from storage import outbox
from storage.db import Database
from tests.unit.test_cli import write_config

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PAST = "2026-11-23T12:00:00+00:00"  # 23/11/2026 19:00 in Hà Nội: stored in UTC on purpose
LATER = "2030-01-01T08:00:00+07:00"
NO_QUIET = '[reminders]\nquiet_start = "00:00"\nquiet_end = "00:00"\n'
CHATS = ("987654321", "5550001112223", "111222333")
SECRET_TEXT = "Nhắc nhở bí mật của thôn"
NAME = "Nguyễn Văn Bí Mật"

# key, channel, chat, member, not_before, status, attempts, last_error, urgent
ROWS = [
    ("remind:2026-11-23:42", "telegram", CHATS[0], 42, PAST, "pending", 0, None, False),
    ("remind:2026-11-24:42", "telegram", CHATS[0], 42, LATER, "pending", 0, None, False),
    ("alert:17:5", "zalo", CHATS[1], 5, LATER, "pending", 3, "network: timed out", True),
    ("announce:3:42", "telegram", CHATS[0], 42, PAST, "given_up", 8, "bad_request: too long", 0),
    ("announce:3:5", "zalo", CHATS[1], 5, PAST, "given_up", 8, "HTTP 502 for 5550001112223", 0),
    ("alert:17:6", "telegram", CHATS[2], 6, PAST, "unreachable", 1, "forbidden", True),
    ("remind:2026-11-20:42", "telegram", CHATS[0], 42, PAST, "expired", 0, "too late", False),
    ("tally:m2026-10:5:xlsx", "telegram", CHATS[2], None, PAST, "sent", 1, None, False),
    ("alert:18:5", "zalo", CHATS[1], 5, PAST, "cancelled", 0, None, True),
]


async def _fill(path: Path, rows: list[tuple[object, ...]]) -> dict[str, int]:
    """Members and outbox rows in every status, as the sender would have left them."""
    db = await Database(path).open()
    ids: dict[str, int] = {}
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO units (id, name, kind, path, created_at)"
                " VALUES (1, 'Thôn A', 'village', 'Thôn A', ?)",
                (PAST,),
            )
            for member in (5, 6, 42):
                await tx.execute(
                    "INSERT INTO members (id, unit_id, role, full_name, joined_at)"
                    " VALUES (?, 1, 'member', ?, ?)",
                    (member, NAME, PAST),
                )
            for key, channel, chat, member, when, status, tries, error, urgent in rows:
                new = await outbox.enqueue(
                    tx,
                    dedupe_key=str(key),
                    channel=str(channel),
                    chat_id=str(chat),
                    member_id=member,
                    payload={"text": f"{SECRET_TEXT} {NAME}", "chat": chat},
                    not_before_iso=str(when),
                    now_iso="2026-11-23T10:00:00+07:00",
                    urgent=bool(urgent),
                )
                assert new is not None
                ids[str(key)] = new
                await tx.execute(
                    "UPDATE outbox SET status = ?, attempts = ?, last_error = ?,"
                    " sent_at = CASE WHEN ? = 'sent' THEN ? END WHERE id = ?",
                    (status, tries, error, status, PAST, new),
                )
    finally:
        await db.close()
    return ids


@pytest.fixture()
def box(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A config without quiet hours and its database holding every kind of row."""
    write_config(tmp_path, NO_QUIET)
    ids = asyncio.run(_fill(tmp_path / "db.sqlite3", ROWS))
    return tmp_path, ids


def _run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns exit code, standard output and standard error."""
    code = main(["--config", str(root / "config.toml"), "outbox", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _summary(out: str) -> dict[tuple[str, str], int]:
    """The summary table as {(channel, status): count}, plus ('', 'total')."""
    counts: dict[tuple[str, str], int] = {}
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("channel "))
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        cells = line.split()
        if cells[0] == "total":
            counts[("", "total")] = int(cells[1])
        else:
            counts[(cells[0], cells[1])] = int(cells[2])
    return counts


def _section(out: str, title: str) -> list[str]:
    """The lines of the section whose title starts with `title`, up to the next blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _row(section: list[str], key: str) -> list[str]:
    """The cells of the row with this dedupe key (cells split on runs of 2+ spaces)."""
    line = next(line for line in section if f" {key} " in f"{line} ")
    return re.split(r"\s{2,}", line.strip())


def _status(root: Path, outbox_id: int) -> tuple[str, int]:
    """A row's status and attempts, read straight from the file."""
    with sqlite3.connect(root / "db.sqlite3") as conn:
        status, attempts = conn.execute(
            "SELECT status, attempts FROM outbox WHERE id = ?", (outbox_id,)
        ).fetchone()
    return str(status), int(attempts)


def test_summary_counts_per_channel_and_status(box, capsys) -> None:
    root, _ = box
    code, out, err = _run(root, capsys)
    assert code == 0, err
    assert _summary(out) == {
        ("telegram", "pending"): 2,
        ("telegram", "sent"): 1,
        ("telegram", "given_up"): 1,
        ("telegram", "unreachable"): 1,
        ("telegram", "expired"): 1,
        ("zalo", "pending"): 1,
        ("zalo", "given_up"): 1,
        ("zalo", "cancelled"): 1,
        ("", "total"): 9,
    }
    assert "telegram  pending          2  23/11/2026 19:00" in out  # oldest, in local time


def test_default_view_shows_what_needs_attention(box, capsys) -> None:
    root, ids = box
    _, out, _ = _run(root, capsys)
    failing = _section(out, "Failing")
    assert failing[0].endswith(": 1")
    cells = _row(failing, "alert:17:5")
    assert cells[:4] == [str(ids["alert:17:5"]), "zalo", "5", "alert:17:5"]
    assert cells[4:] == ["01/01/2030 08:00", "later, urgent", "3", "network: timed out"]

    waiting = _section(out, "Pending, not tried yet")
    assert _row(waiting, "remind:2026-11-23:42")[4:] == ["23/11/2026 19:00", "due now"]
    assert _row(waiting, "remind:2026-11-24:42")[4:] == ["01/01/2030 08:00", "later"]
    assert "alert:17:5" not in "\n".join(waiting)  # failing rows are listed once

    given_up = _section(out, "Given up")
    assert given_up[0].endswith(": 2")
    keys = [line.split()[3] for line in given_up[2:]]
    assert keys == ["announce:3:5", "announce:3:42"]  # newest first
    assert _row(given_up, "announce:3:42")[-2:] == ["8", "bad_request: too long"]

    unreachable = _section(out, "Unreachable")
    assert _row(unreachable, "alert:17:6")[-1] == "forbidden"
    for hidden in ("remind:2026-11-20:42", "tally:m2026-10:5:xlsx", "alert:18:5"):
        assert hidden not in out  # expired, sent, cancelled: only in the counts
    assert "antt-bot outbox retry --all-given-up" in out


def test_list_is_the_same_as_no_action(box, capsys) -> None:
    root, _ = box
    _, plain, _ = _run(root, capsys)
    code, listed, _ = _run(root, capsys, "list")
    assert code == 0
    assert plain.splitlines()[1:] == listed.splitlines()[1:]  # the first line holds the time


@pytest.mark.parametrize(
    ("status", "shown", "title"),
    [
        ("pending", ["remind:2026-11-23:42", "remind:2026-11-24:42", "alert:17:5"], "Pending"),
        ("failing", ["alert:17:5"], "Failing"),
        ("given_up", ["announce:3:5", "announce:3:42"], "Given up"),
        ("unreachable", ["alert:17:6"], "Unreachable"),
        ("expired", ["remind:2026-11-20:42"], "Expired"),
        ("sent", ["tally:m2026-10:5:xlsx"], "Sent"),
        ("cancelled", ["alert:18:5"], "Cancelled"),
    ],
)
def test_status_filter_shows_only_those_rows(box, capsys, status, shown, title) -> None:
    root, _ = box
    code, out, _ = _run(root, capsys, "--status", status)
    assert code == 0
    section = _section(out, title)
    assert [line.split()[3] for line in section[2:]] == shown
    listed = {key for key, *_ in ROWS if f" {key}" in out.split("\n\n", 2)[-1]}
    assert listed == set(shown)


def test_limit_and_all(box, capsys) -> None:
    root, ids = box
    code, out, _ = _run(root, capsys, "list", "--status", "all", "--limit", "3")
    assert code == 0
    section = _section(out, "All messages")
    assert section[0] == "All messages (newest first): 9, 3 shown (--limit)"
    assert [int(line.split()[0]) for line in section[2:]] == sorted(ids.values())[-1:-4:-1]
    code, out, _ = _run(root, capsys, "--limit", "1")  # the limit applies to each section
    assert "Given up after too many failures (newest first): 2, 1 shown (--limit)" in out


def test_retry_one_given_up_message(box, capsys) -> None:
    root, ids = box
    target = ids["announce:3:42"]
    code, out, err = _run(root, capsys, "retry", str(target))
    assert code == 0, err
    assert out == f"Requeued given-up message {target} (announce:3:42).\n"
    assert _status(root, target) == ("pending", 0)
    assert _status(root, ids["announce:3:5"]) == ("given_up", 8)
    _, listed, _ = _run(root, capsys)
    assert _summary(listed)[("telegram", "pending")] == 3
    assert ("telegram", "given_up") not in _summary(listed)


def test_retry_all_given_up_messages(box, capsys) -> None:
    root, ids = box
    code, out, _ = _run(root, capsys, "retry", "--all-given-up")
    assert code == 0
    assert out == "Requeued 2 given-up messages; the running bot sends them shortly.\n"
    assert _status(root, ids["announce:3:5"]) == ("pending", 0)
    assert _status(root, ids["alert:17:6"]) == ("unreachable", 1)  # blocked stays blocked
    code, out, _ = _run(root, capsys, "retry", "--all-given-up")
    assert (code, out) == (0, "No given-up messages to retry.\n")
    _, listed, _ = _run(root, capsys)
    assert "Given up after too many failures (newest first): none" in listed
    assert "outbox retry" not in listed


def test_retry_refuses_an_unknown_id_or_a_message_not_given_up(box, capsys) -> None:
    root, ids = box
    code, out, err = _run(root, capsys, "retry", "9999")
    assert (code, out) == (1, "")
    assert "no outbox message with id 9999" in err
    for key, status in (("alert:17:5", "pending"), ("alert:17:6", "unreachable")):
        code, out, err = _run(root, capsys, "retry", str(ids[key]))
        assert (code, out) == (1, "")
        assert f"message {ids[key]} is {status}, not given_up" in err
        assert _status(root, ids[key])[0] == status


@pytest.mark.parametrize(
    "args",
    [
        ["retry"],
        ["retry", "3", "--all-given-up"],
        ["retry", "three"],
        ["--limit", "0"],
        ["--status", "lost"],
        ["list", "--limit", "many"],
    ],
)
def test_usage_errors_exit_with_2(box, capsys, args) -> None:
    root, _ = box
    with pytest.raises(SystemExit) as stop:
        _run(root, capsys, *args)
    assert stop.value.code == 2


def test_no_chat_id_name_or_message_text_is_printed(box, capsys) -> None:
    root, ids = box
    seen = ""
    for args in (
        [],
        ["--status", "all"],
        ["--status", "sent"],
        ["--status", "pending"],
        ["retry", str(ids["announce:3:5"])],
        ["retry", str(ids["alert:17:6"])],
    ):
        _, out, err = _run(root, capsys, *args)
        seen += out + err
    for secret in (*CHATS, SECRET_TEXT, NAME, "Bí Mật"):
        assert secret not in seen
    assert "HTTP 502 for …" in seen  # the id inside the platform's error is hidden


def test_quiet_hours_hold_non_urgent_messages(tmp_path, capsys) -> None:
    now = datetime.now(TZ)
    start, end = (now - timedelta(hours=1)), (now + timedelta(hours=1))
    write_config(
        tmp_path, f'[reminders]\nquiet_start = "{start:%H:%M}"\nquiet_end = "{end:%H:%M}"\n'
    )
    asyncio.run(_fill(tmp_path / "db.sqlite3", ROWS[:1]))
    _, out, _ = _run(tmp_path, capsys)
    assert f"Quiet hours until {end:%H:%M}: only urgent messages go out." in out
    state = _row(_section(out, "Pending, not tried yet"), "remind:2026-11-23:42")[-1]
    assert state == f"after quiet hours ({end:%H:%M})"


def test_demo_database_and_missing_or_empty_ones(tmp_path, capsys) -> None:
    demo = tmp_path / "demo.sqlite3"
    write_config(tmp_path, f'{NO_QUIET}[demo]\ndatabase_path = "{demo}"\n')
    code, out, err = _run(tmp_path, capsys, "--demo")
    assert (code, out) == (1, "")
    assert f"no database at {demo}" in err
    asyncio.run(_fill(demo, ROWS[3:4]))
    code, out, _ = _run(tmp_path, capsys, "--demo")
    assert code == 0 and f"Outbox of {demo}" in out
    assert _summary(out) == {("telegram", "given_up"): 1, ("", "total"): 1}
    code, out, _ = _run(tmp_path, capsys, "retry", "--demo", "--all-given-up")
    assert (code, out) == (0, "Requeued 1 given-up message; the running bot sends it shortly.\n")
    asyncio.run(_fill(tmp_path / "db.sqlite3", []))  # migrated, members only, no messages
    code, out, _ = _run(tmp_path, capsys)
    assert code == 0 and out.endswith("The outbox is empty.\n")
