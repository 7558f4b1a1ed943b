"""`antt-bot member` and `invite list|revoke` as an operator runs them (in-process, on a
manual clock): listing, every change with its rules, the audit trail and the member's
notice in the outbox, and units and days typed the way chat takes them."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.core import cli_support
from bot.core.clock import ManualClock, iso
from storage import members, units
from storage.db import Database
from tests.unit.test_cli import write_config

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
NA_LENG = f"{COMMUNE}/Thôn Nà Lẹng"
KHUON_PINH = f"{COMMUNE}/Thôn Khuôn Pinh"
OTHER = f"{PROVINCE}/Xã Vũ Lễ"
ORG = f"""path,kind
{PROVINCE},province
{COMMUNE},commune
{NA_LENG},village
{KHUON_PINH},village
{COMMUNE}/Thôn Mới,village
{OTHER},commune
{OTHER}/Thôn Mới,village
"""
# name, unit, role, chat id (None: listed but never joined the bot)
PEOPLE = [
    ("Nguyễn Văn An", NA_LENG, "member", "1001"),
    ("Hoàng Thị Bình", NA_LENG, "leader", None),
    ("Lý Văn Cường", KHUON_PINH, "member", "1003"),
]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Units from an org import and three members serving since 01/11/2026; today 30/11."""
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert main(["--config", str(tmp_path / "config.toml"), "org", "import",
                 str(tmp_path / "org.csv")]) == 0  # fmt: skip
    monkeypatch.setattr(cli_support, "clock_for", lambda config: ManualClock(NOW))
    ids = asyncio.run(_people(tmp_path / "db.sqlite3"))
    return {"root": tmp_path, **ids}


async def _people(path: Path) -> dict[str, int]:
    db = await Database(path).open()
    ids: dict[str, int] = {}
    try:
        async with db.transaction() as tx:
            for name, unit_path, role, chat in PEOPLE:
                unit = await units.get_by_path(tx, unit_path)
                assert unit is not None
                new = await members.create(
                    tx, unit.id, role, name, "vi", iso(NOW), serves_from=date(2026, 11, 1)
                )
                if chat:
                    await members.link_identity(tx, "telegram", chat, chat, new, iso(NOW))
                ids[name.split()[-1]] = new
            await members.set_phone(tx, ids["An"], "0912345678")
    finally:
        await db.close()
    return ids


def run(
    world: dict[str, object], capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(Path(str(world["root"])) / "config.toml"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def query(
    world: dict[str, object], sql: str, params: tuple[object, ...] = ()
) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(str(world["root"])) / "db.sqlite3") as conn:
        return list(conn.execute(sql, params))


def stretches(world: dict[str, object], member: object) -> list[tuple[object, ...]]:
    return query(
        world,
        "SELECT u.path, s.role, s.start_date, s.end_date FROM memberships s"
        " JOIN units u ON u.id = s.unit_id WHERE s.member_id = ? ORDER BY s.start_date, s.id",
        (member,),
    )


def test_list_a_commune_by_its_short_name_without_diacritics(world, capsys) -> None:
    code, out, err = run(world, capsys, "member", "list", "--unit", "bac son")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "role", "unit", "bot", "phone"]
    an = next(line for line in lines if "Nguyễn Văn An" in line)
    assert an.split()[0] == str(world["An"])
    assert NA_LENG in an and "joined" in an and "0912345678" in an
    binh = next(line for line in lines if "Hoàng Thị Bình" in line)
    assert "leader" in binh and "not yet" in binh
    assert any("Lý Văn Cường" in line for line in lines)


def test_a_misspelled_unit_suggests_the_closest_paths(world, capsys) -> None:
    code, out, err = run(world, capsys, "member", "list", "--unit", "Na Leeng")
    assert code == 1 and out == ""
    assert f"no unit 'Na Leeng'; did you mean: {NA_LENG}" in err


def test_an_ambiguous_unit_lists_the_candidates(world, capsys) -> None:
    code, _, err = run(world, capsys, "member", "list", "--unit", "Thôn Mới")
    assert code == 1
    assert "'Thôn Mới' names several units; give one's path:" in err
    assert f"  {COMMUNE}/Thôn Mới" in err and f"  {OTHER}/Thôn Mới" in err


def test_move_audits_and_queues_the_notice(world, capsys) -> None:
    code, out, err = run(world, capsys, "member", "move", str(world["An"]), "--to",
                         "khuon pinh", "--on", "15/11")  # fmt: skip
    assert code == 0, err
    assert f"moved from {NA_LENG} to {KHUON_PINH}, from 15/11/2026" in out
    assert stretches(world, world["An"]) == [
        (NA_LENG, "member", "2026-11-01", "2026-11-14"),
        (KHUON_PINH, "member", "2026-11-15", None),
    ]
    [(actor, action, effective)] = query(
        world, "SELECT actor, action, effective_on FROM audit_trail WHERE subject = 'member'"
    )
    assert actor.startswith("command line (") and action == "move" and effective == "2026-11-15"
    [(chat, payload)] = query(world, "SELECT chat_id, payload FROM outbox WHERE member_id = ?",
                              (world["An"],))  # fmt: skip
    assert chat == "1001" and "Thôn Khuôn Pinh" in str(payload) and "15/11/2026" in str(payload)
    assert "told by the running bot" in err


def test_role_by_name_within_a_unit_with_an_iso_date(world, capsys) -> None:
    code, out, err = run(world, capsys, "member", "role", "ly van cuong", "deputy",
                         "--unit", "Xã Bắc Sơn", "--on", "2026-11-20")  # fmt: skip
    assert code == 0, err
    assert "role member -> deputy, from 20/11/2026" in out
    assert stretches(world, world["Cường"])[-1] == (KHUON_PINH, "deputy", "2026-11-20", None)


def test_leave_then_return_with_full_and_keyword_dates(world, capsys) -> None:
    code, out, err = run(world, capsys, "member", "leave", str(world["Bình"]), "--on", "20/11/2026")
    assert code == 0, err
    assert "nobody to tell" in err  # listed, never joined the bot
    assert query(world, "SELECT active FROM members WHERE id = ?", (world["Bình"],)) == [(0,)]
    code, out, _ = run(world, capsys, "member", "list", "--unit", NA_LENG)
    assert "Hoàng Thị Bình" not in out
    code, out, _ = run(world, capsys, "member", "list", "--unit", NA_LENG, "--all")
    binh = next(line for line in out.splitlines() if "Hoàng Thị Bình" in line)
    assert binh.rstrip().endswith("01/11/2026  20/11/2026")
    code, out, err = run(world, capsys, "member", "return", str(world["Bình"]), "--on", "hôm nay")
    assert code == 0, err
    assert f"back in {NA_LENG} as leader, from 30/11/2026" in out
    assert stretches(world, world["Bình"]) == [
        (NA_LENG, "leader", "2026-11-01", "2026-11-19"),
        (NA_LENG, "leader", "2026-11-30", None),
    ]
    actions = query(world, "SELECT action FROM audit_trail ORDER BY id")
    assert actions == [("leave",), ("return",)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--on", "31/10/2026"], 1, "cannot be dated before 01/11/2026"),
        (["--on", "1/12"], 1, "That day has not come yet"),
        (["--on", "32/13"], 2, "--on: not a date: '32/13'"),
        (["--to", "Xã Bắc Sơn"], 1, "does not fit the current role"),
        (["--to", "Nà Lẹng"], 1, "is already in Thôn Nà Lẹng"),
        (["--to", "Thôn Không Có"], 1, "no unit 'Thôn Không Có'"),
    ],
)
def test_refusals_change_nothing(world, capsys, args: list[str], code: int, message: str) -> None:
    full = ["member", "move", str(world["An"])]
    if "--to" not in args:
        full += ["--to", KHUON_PINH]
    result, out, err = run(world, capsys, *full, *args)
    assert result == code and out == ""
    assert message in err
    assert query(world, "SELECT COUNT(*) FROM audit_trail") == [(0,)]
    assert query(world, "SELECT COUNT(*) FROM outbox") == [(0,)]
    assert stretches(world, world["An"]) == [(NA_LENG, "member", "2026-11-01", None)]


def test_leaving_twice_and_unknown_members_are_refused(world, capsys) -> None:
    assert run(world, capsys, "member", "leave", str(world["An"]))[0] == 0
    code, _, err = run(world, capsys, "member", "leave", str(world["An"]))
    assert code == 1 and "Nguyễn Văn An has left the force" in err
    code, _, err = run(world, capsys, "member", "leave", "999")
    assert code == 1 and "no member with id 999" in err
    code, _, err = run(world, capsys, "member", "role", "Ai Đó", "leader")
    assert code == 1 and "no member named 'Ai Đó'" in err
    code, _, err = run(world, capsys, "member", "role", str(world["An"]), "chief")
    assert code == 2 and "unknown role 'chief'" in err


def test_invite_create_list_revoke(world, capsys) -> None:
    code, out, err = run(world, capsys, "invite", "create", "--unit", "na leng", "--role", "member")
    assert code == 0, err
    invite = out.strip().splitlines()[-1]
    code, out, _ = run(world, capsys, "invite", "list", "--unit", "Bắc Sơn")
    row = next(line for line in out.splitlines() if invite in line)
    assert NA_LENG in row and row.rstrip().endswith("open")
    code, out, err = run(world, capsys, "invite", "revoke", invite.lower())
    assert code == 0 and f"Revoked {invite}" in out
    code, out, _ = run(world, capsys, "invite", "list")
    assert invite not in out and "No invite codes that can still be used." in out
    code, out, _ = run(world, capsys, "invite", "list", "--all")
    assert next(line for line in out.splitlines() if invite in line).rstrip().endswith("revoked")
    code, _, err = run(world, capsys, "invite", "revoke", invite)
    assert code == 1 and "already revoked" in err
    code, _, err = run(world, capsys, "invite", "revoke", "NOPE2345")
    assert code == 1 and "no invite code 'NOPE2345'" in err
    trail = query(world, "SELECT subject, subject_id, action, actor FROM audit_trail ORDER BY id")
    assert [(s, i, a) for s, i, a, _ in trail] == [
        ("invite", invite, "create"),
        ("invite", invite, "revoke"),
    ]
    assert all(str(actor).startswith("command line (") for *_, actor in trail)
