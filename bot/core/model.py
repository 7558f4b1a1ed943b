"""The channel-neutral message model every dialog is written against.

Adapters (Telegram, terminal, later Zalo) translate their platform to `Inbound` and render
`Outbound`: buttons where the platform has them, numbered lines where it does not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Choice:
    """One button: the label the user sees and the value the dialog receives."""

    label: str
    value: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Voice:
    """A voice note as the messenger holds it: `ref` names the file ("tg:<file_id>")."""

    ref: str
    seconds: int


@dataclass(frozen=True)
class Inbound:
    """One thing a user did: typed text, a command, a button press, a photo, a location pin
    or a voice note."""

    channel: str
    chat_id: str
    user_id: str
    update_key: str
    text: str | None = None
    button: str | None = None
    photo: str | None = None
    location: Location | None = None
    voice: Voice | None = None
    display_name: str | None = None
    button_message_id: str | None = None

    @property
    def command(self) -> str | None:
        """The command name without the slash or bot suffix, e.g. 'baocao' for '/baocao@x_bot'."""
        if not self.text or not self.text.startswith("/"):
            return None
        head = self.text.split(maxsplit=1)[0][1:]
        return head.split("@", 1)[0].lower() or None

    @property
    def args(self) -> str:
        """What follows the command, e.g. the invite code of '/start ABC123'."""
        if not self.text or not self.text.startswith("/"):
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True)
class Attachment:
    """A file sent after a message: a workbook, a CSV, a chart, a voice note.

    `render` builds the bytes only when the channel sends them, after the update's
    transaction has committed, so a slow export never holds the database lock. A voice note
    is a file the messenger already holds: it goes by `ref` and renders nothing.
    """

    filename: str
    kind: Literal["document", "photo", "voice"]
    render: Callable[[], Awaitable[bytes]]
    caption: str = ""
    failed_text: str = ""  # told to the user, in their language, if the file cannot be sent
    ref: str = ""  # a voice note's or photo's file on the messenger ("tg:<file_id>")

    @classmethod
    def voice(cls, ref: str, caption: str = "") -> Attachment:
        """A voice note sent again by reference (an officer or the reporter plays it)."""
        return cls("voice.ogg", "voice", _nothing, caption=caption, ref=ref)

    @classmethod
    def photo_by_ref(cls, ref: str, caption: str = "") -> Attachment:
        """A photo sent again by reference (shown to an officer after an alert), so the
        messenger that holds it never needs the bytes uploaded again."""
        return cls("photo.jpg", "photo", _nothing, caption=caption, ref=ref)


async def _nothing() -> bytes:
    return b""


@dataclass
class Outbound:
    """One message to send: text, optional rows of choices.

    `free_input` says the question also takes typed answers, so a typed word must match a
    whole label (no prefixes: "qua" is yesterday, not "Quay lại"). `numeric_input` says those
    typed answers are numbers or times, so text-only channels do not number the choices (a
    typed "2" is an answer, not the second button). `replace` asks channels that can edit
    messages to update the pressed message instead of sending a new one. `attachments` are
    files sent right after the text (direct replies only; an outbox row is text, or a voice
    note or photo by reference: `voice_payload`, `photo_payload`).
    """

    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    free_input: bool = False
    numeric_input: bool = False
    replace: bool = False
    attachments: list[Attachment] = field(default_factory=list)

    def flat_choices(self) -> list[Choice]:
        """Choices in display order, which is also their number on text-only channels."""
        return [c for row in self.choices for c in row]

    def to_payload(self) -> dict[str, Any]:
        """Serialise for the outbox (text and choices: a reply's files are sent apart)."""
        return {
            "text": self.text,
            "choices": [[[c.label, c.value] for c in row] for row in self.choices],
        }

    @staticmethod
    def voice_payload(ref: str, caption: str) -> dict[str, Any]:
        """An outbox row that is a voice note (sent by its reference) with a caption."""
        return {"text": caption, "choices": [], "voice": ref}

    @staticmethod
    def photo_payload(ref: str, caption: str) -> dict[str, Any]:
        """An outbox row that is a photo (sent by its reference) with a caption."""
        return {"text": caption, "choices": [], "photo": ref}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Outbound:
        """Rebuild a message stored in the outbox: a voice or photo row is the file with its
        caption."""
        rows = [[Choice(label, value) for label, value in row] for row in payload["choices"]]
        text = str(payload["text"])
        if payload.get("voice"):
            return cls(text=text, choices=rows, attachments=[Attachment.voice(payload["voice"])])
        if payload.get("photo"):
            photo = Attachment.photo_by_ref(payload["photo"])
            return cls(text=text, choices=rows, attachments=[photo])
        return cls(text=text, choices=rows)


def render_text(message: Outbound) -> str:
    """Render choices as lines for channels without buttons (terminal, Zalo)."""
    lines = [message.text]
    flat = message.flat_choices()
    if flat and message.numeric_input:
        lines.append("")
        lines.append(" · ".join(f"[{c.label}]" for c in flat))
    elif flat:
        lines.append("")
        lines.extend(f"{i}. {c.label}" for i, c in enumerate(flat, 1))
    return "\n".join(lines)
