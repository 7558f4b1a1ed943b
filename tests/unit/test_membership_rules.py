"""Who may see and change whom: the rules chat and the command line share."""

from __future__ import annotations

from datetime import date

from bot.core.roles import Role
from bot.people.membership import Actor, earliest, may_manage, may_see, roles_for
from storage.members import Member

COMMUNE = "Tỉnh L/Xã A"
TEAM = f"{COMMUNE}/Thôn 1"


def person(id_: int, role: str, path: str) -> Member:
    """A member of `path` with `role`."""
    return Member(id_, id_, role, f"P{id_}", "vi", True, path.rsplit("/", 1)[-1], path, "x")


def test_leaders_see_only_their_team() -> None:
    """A leader lists their own team, nothing beside or above it."""
    leader = Actor.of(person(1, Role.LEADER, TEAM))
    assert may_see(leader, TEAM)
    assert not may_see(leader, f"{COMMUNE}/Thôn 2")
    assert not may_see(leader, COMMUNE)


def test_officers_manage_lower_ranks_in_their_commune_only() -> None:
    """An officer changes team members of the commune, not another commune's, not a fellow
    officer, not themselves; nobody at team level changes anyone."""
    officer = Actor.of(person(1, Role.OFFICER, COMMUNE))
    assert may_manage(officer, person(2, Role.MEMBER, TEAM))
    assert may_manage(officer, person(3, Role.LEADER, TEAM))
    assert not may_manage(officer, person(4, Role.MEMBER, "Tỉnh L/Xã B/Thôn 1"))
    assert not may_manage(officer, person(5, Role.OFFICER, COMMUNE))
    assert officer.member is not None
    assert not may_manage(officer, officer.member)
    leader = Actor.of(person(6, Role.LEADER, TEAM))
    assert not may_manage(leader, person(2, Role.MEMBER, TEAM))


def test_supervisors_and_the_command_line() -> None:
    """A supervisor manages officers of their subtree; the operator anyone."""
    supervisor = Actor.of(person(1, Role.SUPERVISOR, "Tỉnh L"))
    assert may_manage(supervisor, person(2, Role.OFFICER, COMMUNE))
    assert not may_manage(supervisor, person(3, Role.OFFICER, "Tỉnh M/Xã C"))
    assert may_manage(Actor.command_line(), person(4, Role.ADMIN, "Tỉnh M"))
    assert Actor.command_line().name.startswith("command line (")


def test_roles_given_below_ones_own_rank() -> None:
    """Team roles in a team, area roles above; an officer cannot make an officer."""
    officer = Actor.of(person(1, Role.OFFICER, COMMUNE))
    assert roles_for(officer, is_team=True) == [Role.MEMBER, Role.DEPUTY, Role.LEADER]
    assert roles_for(officer, is_team=False) == []
    assert roles_for(Actor.command_line(), is_team=False) == [
        Role.OFFICER,
        Role.SUPERVISOR,
        Role.ADMIN,
    ]


def test_changes_stop_at_the_open_month() -> None:
    """A closed month is never reopened by a back-dated change."""
    assert earliest(date(2026, 11, 30)) == date(2026, 11, 1)
    assert earliest(date(2026, 12, 1)) == date(2026, 12, 1)
    assert earliest(date(2026, 11, 30), month_starts_on=15) == date(2026, 11, 15)
