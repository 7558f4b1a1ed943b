"""Unit tests for the command list: every command is whole and reachable, and the router's
tables, the menus, the help and Telegram's command list all come from it."""

from __future__ import annotations

import re

import pytest

from bot.core.i18n import Texts
from bot.core.roles import Role
from handlers import router
from handlers.commands import (
    HELP_SECTIONS,
    HOME,
    REGISTRY,
    Command,
    HelpSection,
    allows,
    help_keys,
    menu_buttons,
    telegram_list,
)

COMMAND_RE = re.compile(r"(?:^|[\s(])/([a-z]+)\b")  # not the / of "fire/rescue"


TEXTS = Texts.load()  # the packaged catalogues, as the bot reads them
VI = TEXTS.catalogues["vi"]
EN = TEXTS.catalogues["en"]

# What Telegram users have seen beside the text box since the list was hand-written.
TELEGRAM_VI = [
    ("baocao", "Gửi báo cáo"),
    ("khongcovuviec", "Hôm nay không có vụ việc"),
    ("baocaocuatoi", "Báo cáo của tôi"),
    ("nghiphep", "Báo nghỉ phép, ốm"),
    ("tinbao", "Tin báo chờ tiếp nhận"),
    ("thongke", "Thống kê theo tổ, so với chỉ tiêu"),
    ("thongbao", "Gửi thông báo tới các tổ"),
    ("baocaodot", "Soạn báo cáo sơ kết, tổng kết đợt thi đua"),
    ("lichsu", "Lịch sử thay đổi của báo cáo hoặc thành viên"),
    ("thanhvien", "Danh sách và quản lý thành viên"),
    ("quanly", "Danh sách người được quản lý, giáo dục tại địa bàn"),  # the 4.5 register
    ("khenthuong", "Đề nghị khen thưởng tổ, thành viên"),
    ("chitieu", "Chỉ tiêu áp dụng cho đơn vị"),  # targets per unit
    ("web", "Đăng nhập trang web thống kê, tin báo"),  # pages for those who steer
    ("huy", "Hủy việc đang làm"),
    ("lienket", "Dùng bot trên cả Telegram và Zalo"),
    ("kenhnhan", "Chọn ứng dụng nhận tin báo"),
    ("trogiup", "Hướng dẫn"),
    ("sodienthoai", "Số điện thoại để Công an gọi lại"),
]

# The menus and help each role had before they were built from the command list.
MENUS = {
    Role.MEMBER: ["report", "nil", "mine", "leave", "help"],
    Role.LEADER: ["report", "nil", "mine", "tally", "leave", "members", "help"],
    Role.DEPUTY: ["report", "nil", "mine", "tally", "leave", "members", "help"],
    Role.OFFICER: ["tally", "pending", "leave", "members", "help"],
    Role.SUPERVISOR: ["tally", "pending", "leave", "members", "help"],
    Role.ADMIN: ["tally", "pending", "leave", "members", "help"],
}
# Sections of other tables than [help] are named whole (/thanhvien's is manage.help; /quanly's,
# the register of people under management, supervised.help).
HELP = {
    Role.MEMBER: ["reporter", "common"],
    Role.LEADER: ["reporter", "tally", "manage.help", "supervised.help", "common"],
    Role.DEPUTY: ["reporter", "tally", "manage.help", "supervised.help", "common"],
    Role.OFFICER: [
        "tally",
        "oversight",
        "phase_report.help",
        "manage.help",
        "supervised.help",
        "commend.help",
        "web.help",
        "common",
    ],
    Role.SUPERVISOR: [
        "tally",
        "oversight",
        "phase_report.help",
        "manage.help",
        "supervised.help",
        "commend.help",
        "web.help",
        "common",
    ],
    Role.ADMIN: [
        "tally",
        "oversight",
        "phase_report.help",
        "manage.help",
        "supervised.help",
        "commend.help",
        "web.help",
        "common",
    ],
}


def _everyone(roles: frozenset[Role] | None) -> frozenset[Role]:
    return frozenset(Role) if roles is None else roles


def test_every_command_has_both_names_and_no_name_is_taken_twice() -> None:
    names: list[str] = []
    for command in REGISTRY:
        assert command.vi and command.en, command
        assert re.fullmatch(r"[a-z]+", command.vi) and re.fullmatch(r"[a-z]+", command.en)
        names += command.names
    assert len(names) == len(set(names)), "a command name is used twice"


def test_the_router_reaches_every_command_by_both_names() -> None:
    for command in REGISTRY:
        table = router.OPEN_COMMANDS if command.strangers else router.COMMANDS
        for name in (command.vi, command.en):
            assert table[name] is command.handler, name
    assert set(router.OPEN_COMMANDS) == {"start", "lienket", "link"}
    assert set(router.OPEN_COMMANDS).isdisjoint(router.COMMANDS)


def test_every_button_runs_its_command_and_menu_rows_are_distinct() -> None:
    buttons = [c for c in REGISTRY if c.button is not None]
    for command in buttons:
        assert command.button is not None
        assert router.BUTTONS[command.button.value] is command.handler
        assert command.button.label in VI and command.button.label in EN
    rows = [c.button.row for c in buttons if c.button and c.button.row is not None]
    assert sorted(rows) == list(range(len(rows)))
    assert HOME in router.BUTTONS  # the "back to menu" button under lists


def test_every_menu_entry_is_offered_to_someone_who_may_use_it() -> None:
    for command in REGISTRY:
        if command.button is None or command.button.row is None:
            continue
        offered = [role for role in Role if command.button in menu_buttons(role)]
        assert offered and all(allows(command.roles, role) for role in offered), command.vi


@pytest.mark.parametrize("role", list(Role))
def test_menus_and_help_by_role_are_unchanged(role: Role) -> None:
    assert [b.value.removeprefix("menu:") for b in menu_buttons(role)] == MENUS[role]
    assert help_keys(role) == [n if "." in n else f"help.{n}" for n in HELP[role]]


def _help_of(section_key: str) -> list[Command]:
    return [c for c in REGISTRY if any(s.key == section_key for s in c.help)]


@pytest.mark.parametrize("section", HELP_SECTIONS, ids=lambda s: s.key)
def test_each_help_section_explains_exactly_its_commands(section: HelpSection) -> None:
    key = section.key
    commands = _help_of(key)
    assert key in VI and key in EN and commands
    names = {n for c in commands for n in c.names}
    for command in commands:
        assert f"/{command.vi}" in VI[key]
        assert f"/{command.vi}" in EN[key] and f"/{command.en}" in EN[key]
    assert set(COMMAND_RE.findall(VI[key])) <= names
    assert set(COMMAND_RE.findall(EN[key])) <= names


def test_help_reaches_exactly_those_who_may_use_each_command() -> None:
    for command in REGISTRY:
        if not command.help:
            continue
        readers = frozenset().union(*(_everyone(s.roles) for s in command.help))
        assert readers == _everyone(command.roles), command.vi
    unexplained = {c.vi for c in REGISTRY if not c.help}
    assert unexplained == {"start", "trogiup"}  # the invite link; the help itself


def test_the_vietnamese_telegram_list_is_what_users_saw() -> None:
    assert telegram_list(TEXTS, "vi") == TELEGRAM_VI


def test_the_telegram_lists_are_derived_from_the_commands() -> None:
    listed = [c for c in REGISTRY if c.listed]
    for locale, catalogue in (("vi", VI), ("en", EN)):
        assert telegram_list(TEXTS, locale) == [
            (c.name(locale), catalogue[str(c.listed)]) for c in listed
        ]
    assert [name for name, _ in telegram_list(TEXTS, "en")] == [c.en for c in listed]
    for _, description in telegram_list(TEXTS, "en") + TELEGRAM_VI:
        assert 0 < len(description) <= 256  # Telegram's limit for a description
