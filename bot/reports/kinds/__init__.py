"""Field kinds by type name: each type of form field is one registered class.

The modules are imported in the order the types were first listed (choosing, typed,
various, register), which is the order an unknown type's error message lists them in.

To add a type: write a FieldKind subclass with @register in one of these modules (or a new
one imported here), plus its tests; forms files accept it at once.
"""

from bot.reports.kinds import choosing, typed, various
from bot.reports.kinds import register as register_person
from bot.reports.kinds.base import (
    DONE,
    KINDS,
    TOGGLE,
    FieldKind,
    Outcome,
    Question,
    Reader,
    Viewer,
    kind_of,
    register,
    scoped,
)

__all__ = [
    "DONE",
    "KINDS",
    "TOGGLE",
    "FieldKind",
    "Outcome",
    "Question",
    "Reader",
    "Viewer",
    "choosing",
    "kind_of",
    "register",
    "register_person",
    "scoped",
    "typed",
    "various",
]
