"""Roles and what each may do. Scope (which units) is checked separately, by unit path."""

from __future__ import annotations

from enum import StrEnum

from storage.subtree import in_scope

__all__ = ["Role", "in_scope"]


class Role(StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    DEPUTY = "deputy"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, dict[str, str]] = {
    Role.MEMBER: {"vi": "Tổ viên", "en": "Team member"},
    Role.LEADER: {"vi": "Tổ trưởng", "en": "Team leader"},
    Role.DEPUTY: {"vi": "Tổ phó", "en": "Deputy team leader"},
    Role.OFFICER: {"vi": "Cán bộ Công an xã", "en": "Commune police officer"},
    Role.SUPERVISOR: {"vi": "Cán bộ chỉ đạo", "en": "Supervisor"},
    Role.ADMIN: {"vi": "Quản trị", "en": "Administrator"},
}

# Accepted spellings on the command line, so an admin can type what they say.
ROLE_ALIASES: dict[str, Role] = {
    "member": Role.MEMBER,
    "to-vien": Role.MEMBER,
    "leader": Role.LEADER,
    "team-leader": Role.LEADER,
    "to-truong": Role.LEADER,
    "deputy": Role.DEPUTY,
    "deputy-leader": Role.DEPUTY,
    "to-pho": Role.DEPUTY,
    "officer": Role.OFFICER,
    "police": Role.OFFICER,
    "supervisor": Role.SUPERVISOR,
    "admin": Role.ADMIN,
}

# Every set of roles the code asks about, defined here once. A str role from the database
# can be tested directly (`"leader" in TEAM_LEAD_ROLES`): a Role equals its value.

# Team members, leader and deputy included: they file field reports, are reminded to, and
# are the people a tally counts.
REPORTING_ROLES = frozenset({Role.MEMBER, Role.LEADER, Role.DEPUTY})
# Those who run a team: they may record leave for its members.
TEAM_LEAD_ROLES = frozenset({Role.LEADER, Role.DEPUTY})
# Commune police: alerted at once of an urgent report in their area, and the ones who
# acknowledge it.
ALERT_ROLES = frozenset({Role.OFFICER})
# Officers and above: they oversee an area (pending reports, announcements, leave for members).
OVERSIGHT_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
# Who may ask for a tally of their own unit (and the units below it).
UNIT_TALLY_ROLES = frozenset({*TEAM_LEAD_ROLES, *OVERSIGHT_ROLES})
# Who is sent last period's tally of their unit unasked, when a new period begins.
MONTHLY_TALLY_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})


def parse_role(text: str) -> Role:
    """Turn a typed role name into a Role, or raise ValueError listing the accepted names."""
    key = text.strip().lower().replace("_", "-").replace(" ", "-")
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    accepted = ", ".join(r.value for r in Role)
    raise ValueError(f"unknown role {text!r}; use one of: {accepted}")


def role_label(role: str, locale: str) -> str:
    """The role's name in the user's language."""
    labels = ROLE_LABELS[Role(role)]
    return labels.get(locale, labels["vi"])


def role_names(roles: frozenset[Role]) -> tuple[str, ...]:
    """A role set as plain strings in a fixed order, for SQL parameters and queries that take
    a sequence (a set's order would change from run to run)."""
    return tuple(role.value for role in Role if role in roles)


def can_report(role: str) -> bool:
    """Only team members (including leader and deputy) file field reports."""
    return role in REPORTING_ROLES
