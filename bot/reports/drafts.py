"""The dialog state of the report wizard and of editing a filed report."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from bot.core.dialog import FlowState

_OLD_SUMMARY = "_summary"  # how the summary step was saved before typed state


class FormDraft(FlowState):
    """Answers to a report form, the field being asked and a multi-answer's picks so far."""

    answers: dict[str, Any] = {}
    field: str | None = None
    pending: list[Any] = []


class ReportDraft(FormDraft):
    """A report being written: its kind (None until chosen), the fields answered in order
    (for Back), and whether it is on the summary or on the resume-or-restart offer."""

    flow: ClassVar[str] = "report"
    parkable: ClassVar[bool] = True

    kind: str | None = None
    history: list[str] = []
    summary: bool = False
    offer: bool = False
    # The question was opened from the summary (a change, an added note): answered or
    # abandoned with Back, the summary comes back.
    returning: bool = False
    # On the summary's "change another answer" list.
    picking: bool = False
    # What an answer in `history` filled besides its own field (a shift's end, the routine
    # button's answers): going back to it clears them.
    filled: dict[str, list[str]] = {}

    def kept(self) -> set[str]:
        """Once the kind is chosen the answers (if none yet) are saved, as before."""
        return {"answers", "history", "pending"} if self.kind else set()

    @model_validator(mode="before")
    @classmethod
    def _old_summary(cls, data: Any) -> Any:
        """A draft saved on the summary before typed state had `field = "_summary"`."""
        if isinstance(data, dict) and data.get("field") == _OLD_SUMMARY:
            return {**data, "field": None, "summary": True}
        return data


class EditDraft(FormDraft):
    """A filed report being edited: `field` is None while the member picks what to change."""

    flow: ClassVar[str] = "edit"

    report_id: int

    def kept(self) -> set[str]:
        """The answers and the field (None while picking) are always saved, as before."""
        return {"answers", "field", "pending"}
