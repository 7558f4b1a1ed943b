"""What `antt-bot db copy` copies, table by table, and what it leaves, with why.

Copied (data), parents before the rows that point at them. `key` is the row's key in the
source (what copied_rows remembers); `refs` the columns rewritten through the map of the
table they point at; `where` the rows taken (the others are left, for `left_reason`);
`unique` a key or unique index of the target a row may meet there, and `conflict` what
then happens: "keep" (the target's row stands; the source's counts as already there) or
"refuse" (not copied, said in the summary with the reason).

Left (transient, or the source's own): see TRANSIENT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from storage import copying

Conflict = Literal["keep", "refuse"]


@dataclass(frozen=True)
class Table:
    """One copied table: how its rows are keyed, rewritten, chosen and checked."""

    name: str
    key: tuple[str, ...] = ("id",)
    refs: dict[str, str] = field(default_factory=dict)
    later: dict[str, str] = field(default_factory=dict)  # self references, set once all exist
    where: str = ""
    left_reason: str = ""
    unique: tuple[str, ...] = ()
    conflict: Conflict = "refuse"
    conflict_reason: str = ""

    @property
    def has_id(self) -> bool:
        """Whether rows get new ids in the target (else their key is their columns)."""
        return self.key == ("id",)


_MEMBER = "members"
_UNIT = "units"

# units are matched by path first (bot/database/copy.py), then copied like the others.
TABLES: tuple[Table, ...] = (
    Table("members", refs={"unit_id": _UNIT}),
    Table("memberships", refs={"member_id": _MEMBER, "unit_id": _UNIT}),
    Table(
        "identities",
        key=("channel", "user_id"),
        refs={"member_id": _MEMBER},
        unique=("channel", "user_id"),
        conflict_reason="this messenger user is already linked to a member of the target: "
        "give the member a link code (/lienket) to link again",
    ),
    Table(
        "invites",
        key=("code",),
        refs={"unit_id": _UNIT, "member_id": _MEMBER},
        unique=("code",),
        conflict_reason="the target has another invite with this code: make a new invite",
    ),
    Table(
        "link_codes",
        key=("code",),
        refs={"member_id": _MEMBER},
        unique=("code",),
        conflict_reason="the target has another link code like it: ask for a new one",
    ),
    Table(
        "unit_history",
        refs={"unit_id": _UNIT, "parent_id": _UNIT},
        # a unit the target already had keeps the target's history (bot/database/copy.py)
        left_reason="history of a unit the target already had (the target's is kept)",
    ),
    Table(
        "outbox",
        refs={"member_id": _MEMBER},
        where=copying.OUTBOX_TAKEN,
        left_reason="sent, given up or expired messages of the source's messenger",
    ),
    Table(
        "reports",
        refs={"member_id": _MEMBER, "unit_id": _UNIT, "ack_by": _MEMBER, "confirmed_by": _MEMBER},
        later={"duplicate_of": "reports"},
    ),
    Table(
        "report_participants",
        key=("report_id", "member_id"),
        refs={"report_id": "reports", "member_id": _MEMBER},
    ),
    Table("report_media", refs={"report_id": "reports"}),
    Table("report_audit", refs={"report_id": "reports", "member_id": _MEMBER}),
    Table("report_events", refs={"report_id": "reports", "member_id": _MEMBER}),
    Table(
        "alerts",
        key=("report_id", "member_id", "step"),
        refs={"report_id": "reports", "member_id": _MEMBER, "outbox_id": "outbox"},
    ),
    Table(
        "leaves",
        refs={"member_id": _MEMBER, "recorded_by": _MEMBER, "cancelled_by": _MEMBER},
    ),
    Table(
        "announcements",
        refs={"member_id": _MEMBER, "unit_id": _UNIT, "progress_outbox_id": "outbox"},
    ),
    Table(
        "supervised",
        refs={"unit_id": _UNIT, "created_by": _MEMBER},
        unique=("unit_id", "code", "until_on"),
        conflict_reason="the team's register in the target already has this code",
    ),
    Table(
        "supervised_reoffences",
        refs={"person_id": "supervised", "recorded_by": _MEMBER, "withdrawn_by": _MEMBER},
    ),
    Table(
        "commendations",
        refs={"unit_id": _UNIT, "member_id": _MEMBER, "ticked_by": _MEMBER},
        unique=("occasion", "unit_id", "member_id"),
        conflict="keep",
    ),
    Table(
        "phase_reports_submitted",
        key=("milestone_key", "unit_id"),
        refs={"unit_id": _UNIT, "marked_by": _MEMBER},
        unique=("milestone_key", "unit_id"),
        conflict="keep",
    ),
    Table(
        "target_overrides",
        key=("unit_id", "key"),
        refs={"unit_id": _UNIT, "set_by": _MEMBER},
        unique=("unit_id", "key"),
        conflict="keep",
    ),
    Table(
        "audit_trail",
        refs={"actor_id": _MEMBER, "unit_id": _UNIT, "other_unit_id": _UNIT},
    ),
    Table(
        "conversations",
        key=("channel", "chat_id"),
        unique=("channel", "chat_id"),
        conflict_reason="the chat has a dialog open in the target: it is kept",
    ),
)

# Tables a copy leaves, with why (printed with their row counts).
TRANSIENT: dict[str, str] = {
    "inbound_journal": "updates the source's bot received and handles itself",
    "processed_updates": "update ids of the source's bot (the target's bots keep their own)",
    "update_failures": "failed updates of the source's bot",
    "schedule_slots": "runs the source's scheduler made; the target's plans its own",
    "web_sessions": "sign-ins to the source's web pages (members sign in again)",
    "web_links": "sign-in and file links of the source's web pages",
    "org_imports": "an import's undo applies to the database it ran on",
    "org_import_changes": "an import's undo applies to the database it ran on",
    "counters": "the target counts on, set past every report number of the source",
    "processes": "the source's running processes (their heartbeats); the target has its own",
    "tally_snapshots": "months kept per commune; the target's refill computes its own",
}
