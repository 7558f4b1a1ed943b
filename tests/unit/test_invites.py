"""Unit tests for invite codes: creation, checking each status, consuming, case-insensitivity."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from bot.core.roles import Role
from bot.people import invites as invitecodes
from bot.people.invites import ALPHABET, InviteError, check_invite, create_invite, deep_link
from storage import invites, units
from storage.db import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
VILLAGE = f"{COMMUNE}/Thôn Nà Lẹng"
START = datetime(2025, 11, 23, 8, 30, 15, 123456, tzinfo=TZ)


@pytest.fixture
async def db(db: Database) -> Database:
    """The shared empty database with a province, a commune and a village."""
    async with db.transaction() as tx:
        now = "2025-11-01T00:00:00+07:00"
        await units.upsert(tx, PROVINCE, "province", None, now)
        await units.upsert(tx, COMMUNE, "commune", None, now)
        await units.upsert(tx, VILLAGE, "village", 120, now)
    return db


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def check(db: Database, code: str, clock: ManualClock) -> str:
    async with db.read() as tx:
        status, _ = await check_invite(tx, code, clock.now())
    return status


async def consume(db: Database, code: str, clock: ManualClock) -> bool:
    async with db.transaction() as tx:
        return await invites.consume(tx, code, clock.now().isoformat(timespec="seconds"))


async def test_create_and_check_ok(db: Database, clock: ManualClock) -> None:
    invite = await create_invite(db, clock, VILLAGE, Role.LEADER, uses=3, days=7)
    assert len(invite.code) == 8 and set(invite.code) <= set(ALPHABET)
    assert invite.unit_path == VILLAGE
    assert invite.unit_name == "Thôn Nà Lẹng"
    assert invite.role is Role.LEADER
    assert invite.uses == 3
    assert invite.expires_at == datetime(2025, 11, 30, 8, 30, 15, tzinfo=TZ)

    async with db.read() as tx:
        status, row = await check_invite(tx, invite.code, clock.now())
    assert status == "ok"
    assert row is not None
    assert dict(row) == {
        "code": invite.code,
        "unit_id": row["unit_id"],
        "role": "leader",
        "uses_left": 3,
        "expires_at": "2025-11-30T08:30:15+07:00",
        "revoked_at": None,
        "unit_name": "Thôn Nà Lẹng",
        "unit_path": VILLAGE,
        "unit_kind": "village",
    }


async def test_unit_path_is_matched_loosely(db: Database, clock: ManualClock) -> None:
    invite = await create_invite(db, clock, f" {PROVINCE} / Xã Bắc Sơn ", Role.OFFICER, 1, 1)
    assert invite.unit_path == COMMUNE


async def test_unknown_code(db: Database, clock: ManualClock) -> None:
    await create_invite(db, clock, VILLAGE, Role.MEMBER, uses=1, days=1)
    async with db.read() as tx:
        assert await check_invite(tx, "ABCDEFGH", clock.now()) == ("unknown", None)
        assert await check_invite(tx, "   ", clock.now()) == ("unknown", None)


async def test_code_is_case_insensitive_and_ignores_spaces(
    db: Database, clock: ManualClock
) -> None:
    invite = await create_invite(db, clock, VILLAGE, Role.MEMBER, uses=1, days=1)
    assert await check(db, invite.code.lower(), clock) == "ok"
    spaced = f"  {invite.code[:4].lower()} {invite.code[4:]}\n"
    assert await check(db, spaced, clock) == "ok"


async def test_expired(db: Database, clock: ManualClock) -> None:
    invite = await create_invite(db, clock, VILLAGE, Role.MEMBER, uses=5, days=2)
    clock.advance(days=2, seconds=-1)
    assert await check(db, invite.code, clock) == "ok"
    clock.advance(seconds=1)
    async with db.read() as tx:
        status, row = await check_invite(tx, invite.code, clock.now())
    assert status == "expired"
    assert row is not None and row["unit_path"] == VILLAGE
    assert await consume(db, invite.code, clock) is False
    async with db.read() as tx:
        stored = await invites.get(tx, invite.code)
    assert stored is not None and stored["uses_left"] == 5


async def test_expiry_compares_instants_across_offsets(db: Database, clock: ManualClock) -> None:
    invite = await create_invite(db, clock, VILLAGE, Role.MEMBER, uses=1, days=1)
    # One second before expiry, but written in UTC: still usable.
    before = (invite.expires_at - timedelta(seconds=1)).astimezone(ZoneInfo("UTC"))
    async with db.transaction() as tx:
        assert await invites.consume(tx, invite.code, before.isoformat()) is True


async def test_used_up(db: Database, clock: ManualClock) -> None:
    invite = await create_invite(db, clock, VILLAGE, Role.MEMBER, uses=2, days=1)
    assert await consume(db, invite.code, clock) is True
    assert await check(db, invite.code, clock) == "ok"
    assert await consume(db, invite.code, clock) is True
    assert await check(db, invite.code, clock) == "used_up"
    assert await consume(db, invite.code, clock) is False
    async with db.read() as tx:
        stored = await invites.get(tx, invite.code)
    assert stored is not None and stored["uses_left"] == 0


async def test_consume_unknown_code(db: Database, clock: ManualClock) -> None:
    assert await consume(db, "ZZZZZZZZ", clock) is False


async def test_unknown_unit(db: Database, clock: ManualClock) -> None:
    with pytest.raises(InviteError) as info:
        await create_invite(db, clock, f"{COMMUNE}/Thôn Không Có", Role.MEMBER, 1, 1)
    message = str(info.value)
    assert "Thôn Không Có" in message and "antt-bot org import" in message
    async with db.read() as tx:
        assert await tx.fetchall("SELECT * FROM invites") == []


@pytest.mark.parametrize(("uses", "days"), [(0, 1), (1, 0), (-1, 5)])
async def test_uses_and_days_must_be_positive(
    db: Database, clock: ManualClock, uses: int, days: int
) -> None:
    with pytest.raises(InviteError):
        await create_invite(db, clock, VILLAGE, Role.MEMBER, uses, days)


async def test_collision_is_retried(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["AAAAAAAA", "AAAAAAAA", "BBBBBBBB"])
    monkeypatch.setattr(invitecodes, "generate_code", lambda: next(codes))
    first = await create_invite(db, clock, VILLAGE, Role.MEMBER, 1, 1)
    second = await create_invite(db, clock, VILLAGE, Role.MEMBER, 1, 1)
    assert (first.code, second.code) == ("AAAAAAAA", "BBBBBBBB")


def test_generated_codes_use_the_unambiguous_alphabet() -> None:
    assert not set("OI01") & set(ALPHABET)
    assert len(ALPHABET) == 32
    codes = {invitecodes.generate_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)


def test_deep_link() -> None:
    assert deep_link("antt_lang_son_bot", "ABCD2345") == (
        "https://t.me/antt_lang_son_bot?start=ABCD2345"
    )
    assert deep_link("@antt_bot", "abcd2345") == "https://t.me/antt_bot?start=ABCD2345"
