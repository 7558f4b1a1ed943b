"""Typed outbox and audience rows: each column lands in its field, NULL columns stay None."""

from __future__ import annotations

from storage import members, outbox, recipients, units
from storage.db import Database
from storage.outbox import OutboxRow
from storage.recipients import Audience, Recipient
from tests.unit.conftest import RowOf

NOW = "2026-11-23T09:00:00+07:00"
LATER = "2026-11-23T10:00:00+07:00"

OUTBOX_SQL = """SELECT 5 AS id, 'remind:2026-11-23:7' AS dedupe_key, 'telegram' AS channel,
    '-100' AS chat_id, {member_id} AS member_id,
    '{{"text": "Nhắc báo cáo", "choices": [[["Có", "yes"]]]}}' AS payload,
    'nb' AS not_before, 'sent' AS status, 2 AS attempts, {last_error} AS last_error,
    {sent_at} AS sent_at, {platform_message_id} AS platform_message_id, 'c' AS created_at,
    {urgent} AS urgent, {expires_at} AS expires_at"""

RECIPIENT_SQL = """SELECT 7 AS id, 'Lò Văn Pó' AS full_name, 'vi' AS locale,
    'leader' AS role, 3 AS unit_id, 'Thôn Nà Lẹng' AS unit_name,
    'Xã A/Thôn Nà Lẹng' AS unit_path, {channel} AS channel, {chat_id} AS chat_id"""


def _outbox_sql(**overrides: object) -> str:
    values: dict[str, object] = {
        "member_id": "NULL",
        "last_error": "NULL",
        "sent_at": "NULL",
        "platform_message_id": "NULL",
        "urgent": 0,
        "expires_at": "NULL",
    }
    return OUTBOX_SQL.format(**{**values, **overrides})


def test_an_outbox_row_with_nulls_keeps_them_none(row_of: RowOf) -> None:
    row = OutboxRow.from_row(row_of(_outbox_sql()))
    assert row == OutboxRow(
        id=5,
        dedupe_key="remind:2026-11-23:7",
        channel="telegram",
        chat_id="-100",
        member_id=None,
        payload_text='{"text": "Nhắc báo cáo", "choices": [[["Có", "yes"]]]}',
        not_before="nb",
        status="sent",
        attempts=2,
        last_error=None,
        sent_at=None,
        platform_message_id=None,
        created_at="c",
        urgent=False,
        expires_at=None,
    )


def test_an_outbox_row_with_every_column_typed(row_of: RowOf) -> None:
    sql = _outbox_sql(
        member_id=7,
        last_error="'boom'",
        sent_at=f"'{NOW}'",
        platform_message_id=42,  # an integer in the column still comes back as text
        urgent=1,
        expires_at=f"'{LATER}'",
    )
    row = OutboxRow.from_row(row_of(sql))
    assert (row.member_id, row.last_error, row.sent_at) == (7, "boom", NOW)
    assert row.platform_message_id == "42" and row.urgent is True and row.expires_at == LATER


def test_the_payload_is_decoded_afresh_for_each_caller(row_of: RowOf) -> None:
    row = OutboxRow.from_row(row_of(_outbox_sql()))
    payload = row.payload()
    assert payload == {"text": "Nhắc báo cáo", "choices": [[["Có", "yes"]]]}
    payload["text"] = "changed"
    assert row.payload()["text"] == "Nhắc báo cáo"


def test_a_recipient_with_an_account(row_of: RowOf) -> None:
    sql = RECIPIENT_SQL.format(channel="'zalo'", chat_id="'z-1'")
    assert Recipient.from_row(row_of(sql)) == Recipient(
        member_id=7,
        full_name="Lò Văn Pó",
        locale="vi",
        role="leader",
        unit_id=3,
        unit_name="Thôn Nà Lẹng",
        unit_path="Xã A/Thôn Nà Lẹng",
        channel="zalo",
        chat_id="z-1",
    )


def test_a_recipient_without_an_account_keeps_none(row_of: RowOf) -> None:
    recipient = Recipient.from_row(row_of(RECIPIENT_SQL.format(channel="NULL", chat_id="NULL")))
    assert (recipient.member_id, recipient.channel, recipient.chat_id) == (7, None, None)


async def test_the_storage_functions_return_typed_rows(db: Database) -> None:
    async with db.transaction() as tx:
        unit_id, _ = await units.upsert(tx, "Xã A", "commune", None, NOW)
        reached = await members.create(tx, unit_id, "member", "Lò Văn Pó", "vi", NOW)
        await members.create(tx, unit_id, "member", "Vi Thị Em", "vi", NOW)
        await members.link_identity(tx, "telegram", "u1", "c1", reached, NOW)
        outbox_id = await outbox.enqueue(
            tx,
            dedupe_key="k1",
            channel="telegram",
            chat_id="c1",
            member_id=reached,
            payload={"text": "Xin chào"},
            not_before_iso=NOW,
            now_iso=NOW,
            urgent=True,
        )
    assert outbox_id is not None
    async with db.read() as tx:
        found = await outbox.get(tx, outbox_id)
        due = await outbox.due(tx, "telegram", LATER, 10)
        assert await outbox.get(tx, outbox_id + 1) is None
        audience = await recipients.audience(tx, Audience(paths=["Xã A"]), None)
    assert isinstance(found, OutboxRow) and due == [found]
    assert (found.id, found.member_id, found.status, found.attempts) == (
        outbox_id,
        reached,
        "pending",
        0,
    )
    assert found.urgent is True and found.payload() == {"text": "Xin chào"}
    assert [type(r) for r in audience] == [Recipient, Recipient]
    assert [(r.full_name, r.channel, r.chat_id) for r in audience] == [
        ("Lò Văn Pó", "telegram", "c1"),
        ("Vi Thị Em", None, None),
    ]
