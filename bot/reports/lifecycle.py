"""The life of an urgent report (a tip, a fire): its states, which ones are still open, and
which step an officer may take from each.

Received → acknowledged ("Đã tiếp nhận", taken up) → verifying → resolved / forwarded /
unfounded for a tip; a fire ends with "done" ("Đã xử lý xong") and the officer's word on
whether the force arrived in time. Any open report may be marked the same incident as another
("duplicate"): it is then counted once. Every step is kept in `report_events`.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    VERIFYING = "verifying"
    RESOLVED = "resolved"
    FORWARDED = "forwarded"
    UNFOUNDED = "unfounded"
    DONE = "done"
    DUPLICATE = "duplicate"


# Still waiting for the police: listed by /tinbao, flagged when overdue, "still open" in
# the tally.
OPEN_STATES = frozenset({State.RECEIVED, State.ACKNOWLEDGED, State.VERIFYING})
CLOSED_STATES = frozenset(
    {State.RESOLVED, State.FORWARDED, State.UNFOUNDED, State.DONE, State.DUPLICATE}
)

# The steps an officer takes with buttons after acknowledging, per kind of report.
TIP_STEPS = (State.VERIFYING, State.RESOLVED, State.FORWARDED, State.UNFOUNDED)
FIRE_STEPS = (State.DONE,)

# Button data: open a report's case view (case:<id>); mark it the same incident as another
# (dup:<id>).
CASE_PREFIX = "case:"
DUP_PREFIX = "dup:"

FIRE_KIND = "fire_rescue"
TIP_KIND = "tip"


def next_steps(kind: str, state: str) -> tuple[State, ...]:
    """The buttons an officer sees on a report in `state`: none once it is closed, and
    nothing before it is acknowledged (acknowledging comes first, with its own button)."""
    if state not in (State.ACKNOWLEDGED, State.VERIFYING):
        return ()
    steps = FIRE_STEPS if kind == FIRE_KIND else TIP_STEPS
    return tuple(step for step in steps if step != state)
