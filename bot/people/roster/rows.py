"""Reading one roster row on its own: the header's columns, the name, role, phone and date.

A commune's list comes as Excel made by hand, with Vietnamese headers ("Họ và tên", "Đơn
vị", "Vai trò", "Ngày vào") or English ones, and roles as people say them ("tổ viên", "tổ
trưởng", "công an xã"). Everything that needs no database is checked here; the unit and the
duplicates are checked against the database by `importing`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.parsing import fold
from bot.core.phones import normalize_phone
from bot.core.roles import ROLE_LABELS, Role, parse_role
from bot.core.typed_dates import FORMS, read_day

# The header names each column answers to, folded (no diacritics, no case, '_' as ' ').
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("full name", "name", "ho va ten", "ho ten", "ten"),
    "unit": ("unit", "path", "don vi", "to", "thon"),
    "role": ("role", "vai tro", "chuc vu"),
    "phone": ("phone", "so dien thoai", "dien thoai", "sdt"),
    "joined": ("joined", "date joined", "ngay vao", "ngay tham gia"),
}
REQUIRED = ("name", "unit")

# Roles as people write them, folded; a blank cell is a team member.
ROLE_WORDS: dict[str, Role] = {
    "thanh vien": Role.MEMBER,
    "doi vien": Role.MEMBER,
    "to vien to bao ve antt": Role.MEMBER,
    "to pho to bao ve antt": Role.DEPUTY,
    "to truong to bao ve antt": Role.LEADER,
    "cong an": Role.OFFICER,
    "cong an xa": Role.OFFICER,
    "cong an phuong": Role.OFFICER,
    "cong an thi tran": Role.OFFICER,
    "can bo cong an": Role.OFFICER,
    "chi dao": Role.SUPERVISOR,
    **{fold(labels["vi"]): role for role, labels in ROLE_LABELS.items()},
    **{fold(labels["en"]): role for role, labels in ROLE_LABELS.items()},
}
ROSTER_ROLES = (Role.MEMBER, Role.LEADER, Role.DEPUTY, Role.OFFICER, Role.SUPERVISOR)
ROLE_HINT = "tổ viên, tổ trưởng, tổ phó, công an xã, cán bộ chỉ đạo (or member, leader, ...)"

# The same rule as the join dialog: two words or more, letters only.
NAME = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)+$")
MAX_NAME = 80
_LOST_ZERO = re.compile(r"[1-9][0-9]{8}")
# What openpyxl gives for a date cell: the day at midnight.
_SHEET_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00)?$")


@dataclass(frozen=True)
class Header:
    """Where each known column is in the file (None: the file has no such column)."""

    line: int
    at: dict[str, int]

    def cell(self, cells: list[str], column: str) -> str:
        """The row's text in a column ('' when the file has no such column or the row ends
        early, as Excel rows do after their last filled cell)."""
        index = self.at.get(column)
        return cells[index] if index is not None and index < len(cells) else ""


@dataclass(frozen=True)
class RosterRow:
    """One person as the file lists them, checked on their own; the unit is still as typed."""

    line: int
    name: str
    unit: str
    role: Role
    phone: str | None
    joined: date | None
    joined_text: str


def read_header(line: int, cells: list[str]) -> tuple[Header | None, list[str]]:
    """Which column is which; the problems (missing or repeated columns) when it cannot do."""
    at: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(cells):
        key = fold(cell.replace("_", " ")).strip()
        for column, names in COLUMNS.items():
            if key in names:
                if column in at:
                    problems.append(f"two columns for {column!r}; keep one")
                at[column] = index
    missing = [c for c in REQUIRED if c not in at]
    if missing:
        wanted = "; ".join(f"{c}: {' / '.join(repr(n) for n in COLUMNS[c][:4])}" for c in missing)
        problems.append(
            f"the header row lacks the column(s) {', '.join(missing)} ({wanted}); the first"
            " non-blank row must name the columns"
        )
    return (Header(line, at) if not problems else None), problems


def read_row(header: Header, line: int, cells: list[str], today: date) -> RosterRow | str:
    """The row as a person to list, or what is wrong with it (one sentence per problem)."""
    problems: list[str] = []
    name = " ".join(header.cell(cells, "name").split())
    if not name:
        problems.append("the full name is empty")
    elif len(name) > MAX_NAME or not NAME.match(name):
        problems.append(
            f"full name {name!r} must be two words or more, letters only, at most"
            f" {MAX_NAME} characters (e.g. Nguyễn Văn An)"
        )
    unit = header.cell(cells, "unit").strip()
    if not unit:
        problems.append("the unit is empty; write its path or its name (e.g. Thôn Nà Lẹng)")
    role = read_role(header.cell(cells, "role"))
    if role is None:
        problems.append(f"unknown role {header.cell(cells, 'role')!r}; use one of: {ROLE_HINT}")
    phone_text = header.cell(cells, "phone")
    phone = read_phone(phone_text) if phone_text else None
    if phone_text and phone is None:
        problems.append(
            f"{phone_text!r} is not a phone number (3 to 15 digits, spaces, dots or a leading +)"
        )
    joined_text = header.cell(cells, "joined")
    joined = read_joined(joined_text, today) if joined_text else None
    if joined_text and joined is None:
        problems.append(f"date joined {joined_text!r} is not a date; write e.g. {FORMS}")
    elif joined is not None and joined > today:
        problems.append(f"date joined {joined.strftime('%d/%m/%Y')} is in the future")
    if problems or role is None:
        return "; ".join(problems)
    return RosterRow(line, name, unit, role, phone, joined, joined_text)


def read_role(text: str) -> Role | None:
    """The role a cell names (blank: a team member), None when it names none or one the
    roster does not give (an administrator is made at the command line, one by one)."""
    key = fold(text).strip()
    if not key:
        return Role.MEMBER
    role = ROLE_WORDS.get(key)
    if role is None:
        try:
            role = parse_role(text)
        except ValueError:
            return None
    return role if role in ROSTER_ROLES else None


def read_phone(text: str) -> str | None:
    """The number a cell holds, or None. Excel keeps a number typed in a number cell as a
    number, dropping its leading 0 (0912 345 678 becomes 912345678): nine digits that start
    with 1 to 9 are such a mobile number, and get their 0 back."""
    phone = normalize_phone(text)
    if phone is not None and _LOST_ZERO.fullmatch(phone):
        return "0" + phone
    return phone


def read_joined(text: str, today: date) -> date | None:
    """The day a cell names: typed as in chat, or an Excel date cell."""
    sheet_day = _SHEET_DAY.match(text.strip())
    if sheet_day is not None:
        return date.fromisoformat(sheet_day.group(1))
    return read_day(text, today)


def same_person(name: str) -> str:
    """The key two rows (or a row and a member) share when they name the same person in one
    unit: case and spacing aside, but diacritics kept ("Hoà" and "Hoa" are two names)."""
    return " ".join(name.casefold().split())
