"""Permissions: which roles report, and which units a unit may see."""

from __future__ import annotations

import pytest

from bot.core.roles import Role, can_report, in_scope, parse_role, role_label


@pytest.mark.parametrize(
    ("viewer", "target", "expected"),
    [
        ("Tỉnh A/Xã B", "Tỉnh A/Xã B", True),
        ("Tỉnh A/Xã B", "Tỉnh A/Xã B/Thôn C", True),
        ("Tỉnh A", "Tỉnh A/Xã B/Thôn C", True),
        ("Tỉnh A/Xã B", "Tỉnh A/Xã BB/Thôn C", False),  # a name prefix is not a parent
        ("Tỉnh A/Xã B", "Tỉnh A/Xã D/Thôn C", False),
        ("Tỉnh A/Xã B/Thôn C", "Tỉnh A/Xã B", False),  # never upwards
    ],
)
def test_scope_is_the_unit_and_everything_below(viewer: str, target: str, expected: bool) -> None:
    assert in_scope(viewer, target) is expected


def test_only_team_roles_file_reports() -> None:
    assert {r for r in Role if can_report(r)} == {Role.MEMBER, Role.LEADER, Role.DEPUTY}


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("member", Role.MEMBER),
        ("Team Leader", Role.LEADER),
        ("to-pho", Role.DEPUTY),
        ("police", Role.OFFICER),
        ("SUPERVISOR", Role.SUPERVISOR),
        ("admin", Role.ADMIN),
    ],
)
def test_role_names_typed_by_admins(typed: str, role: Role) -> None:
    assert parse_role(typed) is role


def test_unknown_role_lists_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="member, leader, deputy, officer, supervisor, admin"):
        parse_role("chief")


def test_role_labels_in_both_languages() -> None:
    assert role_label("officer", "vi") == "Cán bộ Công an xã"
    assert role_label("officer", "en") == "Commune police officer"
