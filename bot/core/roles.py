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

REPORTING_ROLES = frozenset({Role.MEMBER, Role.LEADER, Role.DEPUTY})
ALERT_ROLES = frozenset({Role.OFFICER})
OVERSIGHT_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
TALLY_ROLES = frozenset({Role.LEADER, Role.DEPUTY, *OVERSIGHT_ROLES})


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


def can_report(role: str) -> bool:
    """Only team members (including leader and deputy) file field reports."""
    return role in REPORTING_ROLES
