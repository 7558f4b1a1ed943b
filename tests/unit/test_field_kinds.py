"""The field kinds registry: every type registered, and each kind's reading and showing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.core.dialog import Dialog
from bot.core.engine import Context, Services
from bot.core.i18n import Texts
from bot.core.model import Inbound, Location
from bot.reports.filling import display, parse_answer, pending_from, summary_lines
from bot.reports.forms import FieldDef, FormError, load_forms
from bot.reports.kinds import KINDS, FieldKind, Viewer, kind_of
from bot.reports.kinds.typed import TypedKind
from storage import members, units
from storage.db import Database, Tx
from storage.members import Member
from storage.units import NewUnit

FORMS = load_forms()
TEXTS = Texts.load()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
OLD_TYPES = ["choice", "multi_choice", "text", "integer", "date", "time", "yes_no", "location"]
OLD_TYPES.append("photo")
OLD_TYPES.append("register_person")  # 4.5: a code from the team's register

MakeCtx = Callable[..., Context]


def vi(key: str, **params: object) -> str:
    """The text as a Telegram member reads it (choices are buttons: "bấm")."""
    return TEXTS.t("vi", key, **{"press": "bấm", "Press": "Bấm", **params})


def field(type_: str, **extra: Any) -> FieldDef:
    return FieldDef.model_validate(
        {"key": "f", "type": type_, "label": {"vi": "Trường", "en": "Field"}, **extra}
    )


OPTIONS = [
    {"value": "fire", "label": {"vi": "Cháy", "en": "Fire"}},
    {"value": "rescue", "label": {"vi": "Cứu nạn", "en": "Rescue"}},
]


@pytest.fixture
async def tx(db: Database) -> AsyncIterator[Tx]:
    async with db.transaction() as transaction:
        yield transaction


@pytest.fixture
def make(db: Database, tx: Tx) -> MakeCtx:
    """A Context for one inbound message of a Vietnamese member (or `member` given)."""

    def build(
        *,
        text: str | None = None,
        button: str | None = None,
        photo: str | None = None,
        location: Location | None = None,
        channel: str = "telegram",
        member: dict[str, Any] | None = None,
    ) -> Context:
        services = Services(
            config=Config(),
            forms=FORMS,
            texts=TEXTS,
            clock=ManualClock(NOW),
            db=db,
            pinless_channels={"zalo"},
        )
        inbound = Inbound(
            channel, "c", "u", "k", text=text, button=button, photo=photo, location=location
        )
        who = _member(**(member or {"id": 1, "unit_id": 1, "locale": "vi"}))
        return Context(services, tx, inbound, who, Dialog(), value=button)

    return build


def _member(id: int, unit_id: int, locale: str) -> Member:
    return Member(id, unit_id, "member", "Thành viên", locale, True, "Thôn A", "A/B", "village")


async def outcome(
    ctx: Context, fdef: FieldDef, pending: list[Any] | None = None
) -> tuple[str, Any]:
    result = await parse_answer(ctx, fdef, pending or [])
    return result.kind, result.value if result.kind != "error" else result.message


def test_every_field_type_is_registered_under_its_name() -> None:
    assert list(KINDS) == OLD_TYPES  # in the order an unknown type's message lists them
    for name, kind in KINDS.items():
        assert isinstance(kind, FieldKind) and kind.name == name
    used = {f.type for c in FORMS.categories for f in c.fields}
    assert used <= set(KINDS)
    for name in KINDS:
        assert kind_of(field(name, options=OPTIONS if "choice" in name else [])) is KINDS[name]


def test_forms_refuse_an_unregistered_type_with_the_same_message(tmp_path: Any) -> None:
    path = tmp_path / "forms.toml"
    path.write_text(
        '[[categories]]\nkey = "x"\nlabel = { vi = "X" }\n'
        '[[categories.fields]]\nkey = "a"\ntype = "colour"\nlabel = { vi = "A" }\n',
        encoding="utf-8",
    )
    with pytest.raises(FormError) as info:
        load_forms(path)
    listed = ", ".join(f"'{t}'" for t in OLD_TYPES[:-1]) + f" or '{OLD_TYPES[-1]}'"
    assert f"category 'x', field 'a', type: Input should be {listed}" in str(info.value)


def test_a_new_kind_is_one_registered_class(monkeypatch: pytest.MonkeyPatch) -> None:
    class ColourKind(FieldKind):
        name = "colour"

    monkeypatch.setitem(KINDS, "colour", ColourKind())
    fdef = field("colour")
    assert kind_of(fdef).name == "colour"


def test_typed_answers_and_bare_digits_by_kind() -> None:
    free = {n for n, k in KINDS.items() if k.free_input}
    numeric = {n for n, k in KINDS.items() if k.numeric_input}
    assert free == {"text", "integer", "date", "time", "location", "register_person"}
    assert numeric == {"integer"}  # dates and times never type as bare digits: choices are numbered
    assert all(isinstance(KINDS[n], TypedKind) for n in ("text", "integer", "date", "time"))


async def test_choice(make: MakeCtx) -> None:
    fdef = field("choice", options=OPTIONS)
    assert await outcome(make(button="f=fire"), fdef) == ("value", "fire")
    assert await outcome(make(button="f=flood"), fdef) == ("error", vi("error.choice"))
    assert await outcome(make(button="g=fire"), fdef) == ("error", vi("error.choice"))  # stale
    assert await outcome(make(text="fire"), fdef) == ("error", vi("error.choice"))
    ctx = make()
    assert await display(ctx, fdef, "rescue") == "Cứu nạn"
    assert await display(Viewer(TEXTS, "en", ctx.tx), fdef, "rescue") == "Rescue"
    assert await display(ctx, fdef, "gone") == "gone"  # the form changed since


async def test_multi_choice_of_options(make: MakeCtx) -> None:
    fdef = field("multi_choice", options=OPTIONS)
    assert await outcome(make(button="f=t:fire"), fdef) == ("pending", ["fire"])
    assert await outcome(make(button="f=t:fire"), fdef, ["fire", "rescue"]) == (
        "pending",
        ["rescue"],
    )
    assert await outcome(make(button="f=t:flood"), fdef) == ("error", vi("error.multi"))
    assert await outcome(make(button="nav:done"), fdef, ["rescue", "old"]) == ("value", ["rescue"])
    assert await outcome(make(button="nav:done"), fdef) == ("error", vi("error.multi_empty"))
    optional = field("multi_choice", options=OPTIONS, required=False)
    assert await outcome(make(button="nav:done"), optional) == ("value", [])
    # typed text is read against the choices shown (none here): named back, never guessed
    unknown = vi("typed.multi_unknown", item="Cháy")
    assert await outcome(make(text="Cháy"), fdef) == ("error", unknown)
    viewer = Viewer(TEXTS, "en", make().tx)
    assert await display(viewer, fdef, ["fire", "rescue"]) == "Fire, Rescue"
    assert pending_from("multi_choice", ["fire"]) == ["fire"]


async def test_multi_choice_of_team_mates(make: MakeCtx, tx: Tx) -> None:
    await units.insert_many(tx, [NewUnit(1, None, "Thôn A", "team", None)], "t")
    now = iso(NOW)
    me = await members.create(tx, 1, "member", "Nguyễn Văn An", "vi", now)
    mate = await members.create(tx, 1, "member", "Trần Thị Bình", "vi", now)
    fdef = field("multi_choice", choices_from="team")
    ctx = make(button=f"f=t:m{mate}", member={"id": me, "unit_id": 1, "locale": "vi"})
    assert await outcome(ctx, fdef) == ("pending", [f"m{mate}"])
    ctx = make(button=f"f=t:m{me}", member={"id": me, "unit_id": 1, "locale": "vi"})
    assert await outcome(ctx, fdef) == ("error", vi("error.multi"))  # not one's own team-mate
    ctx = make(button="nav:done", member={"id": me, "unit_id": 1, "locale": "vi"})
    assert await outcome(ctx, fdef, [f"m{mate}"]) == ("value", [mate])
    assert await display(ctx, fdef, [mate, 999]) == "Trần Thị Bình, #999"
    assert pending_from("multi_choice", [mate]) == [f"m{mate}"]


async def test_text(make: MakeCtx) -> None:
    fdef = field("text", max_length=10)
    assert await outcome(make(text="  Ổn định "), fdef) == ("value", "Ổn định")
    # too long: the first 10 characters wait, offered with "send cut" / "type again"
    assert await outcome(make(text="x" * 10 + "yz"), fdef) == ("pending", ["x" * 10])
    offer = await parse_answer(make(text="x" * 10 + "yz"), fdef, [])
    assert offer.message == vi("typed.cut_offer", length=12, n=10, cut=2, tail="yz")
    assert await outcome(make(button="f=cut:send"), fdef, ["x" * 10]) == ("value", "x" * 10)
    assert await outcome(make(button="f=cut:retype"), fdef, ["x" * 10]) == ("pending", [])
    assert await outcome(make(text="ngắn"), fdef, ["x" * 10]) == ("value", "ngắn")
    assert await outcome(make(), fdef) == ("error", vi("error.need_text"))
    assert await display(make(), fdef, "Ổn định") == "Ổn định"


async def test_integer(make: MakeCtx) -> None:
    fdef = field("integer", minimum=0, maximum=100)
    assert await outcome(make(text="12 người"), fdef) == ("value", 12)
    assert await outcome(make(text="mười"), fdef) == ("value", 10)
    assert await outcome(make(text="không biết"), fdef) == ("error", vi("error.int_invalid"))
    too_big = vi("error.int_too_large", maximum=100)
    assert await outcome(make(text="101"), fdef) == ("error", too_big)
    assert await outcome(make(text="-1"), fdef) == ("error", vi("error.int_too_small", minimum=0))
    assert await outcome(make(button="nav:done"), fdef) == ("error", vi("error.need_text"))
    assert await display(make(), fdef, 0) == "0"


async def test_date(make: MakeCtx) -> None:
    fdef = field("date")
    assert await outcome(make(button="f=d:0"), fdef) == ("value", "2026-11-23")
    assert await outcome(make(button="f=d:1"), fdef) == ("value", "2026-11-22")
    assert await outcome(make(text="21/11"), fdef) == ("value", "2026-11-21")
    assert await outcome(make(text="24/11/2026"), fdef) == ("error", vi("error.date_future"))
    too_old = vi("error.date_too_old", days=7)
    assert await outcome(make(text="01/11/2026"), fdef) == ("error", too_old)
    assert await outcome(make(button="f=d:9"), fdef) == ("error", vi("error.need_text"))
    assert await display(make(), fdef, "2026-11-21") == "21/11/2026"


async def test_time(make: MakeCtx) -> None:
    fdef = field("time")
    assert await outcome(make(text="7h30"), fdef) == ("value", "07:30")
    assert await outcome(make(text="25:00"), fdef) == ("error", vi("error.time_invalid"))
    assert await display(make(), fdef, "07:30") == "07:30"


async def test_yes_no(make: MakeCtx) -> None:
    fdef = field("yes_no")
    assert await outcome(make(button="f=yes"), fdef) == ("value", True)
    assert await outcome(make(text="ko"), fdef) == ("value", False)
    assert await outcome(make(text="3"), fdef) == ("error", vi("error.yes_no"))
    assert await outcome(make(button="g=yes"), fdef) == ("error", vi("error.yes_no"))
    assert await display(make(), fdef, False) == "Không"
    assert await display(Viewer(TEXTS, "en", make().tx), fdef, True) == "Yes"


async def test_location(make: MakeCtx) -> None:
    fdef = field("location", max_length=20)
    pin = make(location=Location(22.123456, 106.5))
    assert await outcome(pin, fdef) == ("value", {"lat": 22.123456, "lon": 106.5})
    assert await outcome(make(text="Ngã ba chợ"), fdef) == ("value", {"text": "Ngã ba chợ"})
    assert await outcome(make(text="x" * 21), fdef) == ("error", vi("error.too_long", n=20))
    assert await outcome(make(text="/menu"), fdef) == ("error", vi("error.location"))
    typed_only = make(channel="zalo")
    assert await outcome(typed_only, fdef) == ("error", vi("error.location_typed"))
    assert await display(make(), fdef, {"text": "Ngã ba chợ"}) == "Ngã ba chợ"
    assert await display(make(), fdef, {"lat": 22.123456, "lon": 106.5}) == "📍 22.12346, 106.50000"


async def test_photo(make: MakeCtx) -> None:
    fdef = field("photo", max_photos=2)
    assert await outcome(make(photo="tg:a"), fdef) == ("pending", ["tg:a"])
    full = vi("error.too_many_photos", n=2)
    assert await outcome(make(photo="tg:c"), fdef, ["tg:a", "tg:b"]) == ("error", full)
    assert await outcome(make(button="nav:done"), fdef, ["tg:a"]) == ("value", ["tg:a"])
    assert await outcome(make(button="nav:done"), fdef) == ("error", vi("error.photo_required"))
    optional = field("photo", required=False)
    assert await outcome(make(button="nav:done"), optional) == ("value", [])
    assert await outcome(make(text="ảnh"), fdef) == ("error", vi("error.photo"))
    assert await display(Viewer(TEXTS, "en", make().tx), fdef, ["a", "b"]) == "2 photo(s)"
    assert pending_from("photo", ["tg:a"]) == ["tg:a"]
    assert pending_from("photo", None) == []


async def test_skipped_answers_and_summaries_in_the_readers_language(make: MakeCtx) -> None:
    fire = FORMS.get("fire_rescue")
    answers = {"kind": "fire", "mobilised": True, "people_helped": 3, "photos": None}
    english = Viewer(TEXTS, "en", make().tx)
    assert await summary_lines(english, fire, answers) == [
        "• Kind: Fire",
        "• Mobilised by police: Yes",
        "• People helped: 3",
    ]  # photos are offered on the summary: never added, they are not listed as skipped
    assert await display(english, fire.field("photos"), None) == "(skipped)"
    assert await display(make(), fire.field("photos"), []) == vi("answer.none")
