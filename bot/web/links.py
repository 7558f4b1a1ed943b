"""Making the links the bot sends: a one-time sign-in, a file it made, a photo it holds.

Each link is stored (by the hash of its token) against the member it is for, with its expiry;
a file's bytes are written under `[web] files_dir` under a random name of their own (never
the token, so the folder's listing opens nothing). Called inside the caller's transaction:
the link exists exactly when what sends it is committed.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.clock import iso
from bot.core.config import Config
from bot.web.tokens import digest, new_token
from storage import web
from storage.db import Tx

SIGNIN = "signin"
FILE = "file"
PHOTO = "photo"

SIGNIN_PATH = "/vao/"  # /vao/<token>: sign in
FILE_PATH = "/tep/"  # /tep/<token>: a file


@dataclass(frozen=True)
class Made:
    """A link just made: what to send, and until when it opens."""

    url: str
    expires: datetime


def content_type(filename: str) -> str:
    """The type a browser needs to open or save a file the bot made."""
    guessed, _ = mimetypes.guess_type(filename)
    known = {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".csv": "text/csv; charset=utf-8",
        ".zip": "application/zip",
    }
    return known.get(Path(filename).suffix.lower(), guessed or "application/octet-stream")


async def signin(tx: Tx, config: Config, member_id: int, now: datetime) -> Made:
    """A one-use sign-in link for /web, open `[web] signin_minutes`."""
    token = new_token()
    expires = now + timedelta(minutes=config.web.signin_minutes)
    await web.add_link(tx, digest(token), SIGNIN, member_id, iso(now), iso(expires))
    return Made(config.web.public_url + SIGNIN_PATH + token, expires)


async def file(
    tx: Tx, config: Config, member_id: int, now: datetime, filename: str, data: bytes
) -> Made:
    """Store a file the bot made for one member and a link to it, open
    `[web] file_link_hours`; photos (a chart) open for whoever holds the link, since the
    messenger fetches them itself, every other file only for its member."""
    token = new_token()
    folder = Path(config.web.files_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / (secrets.token_hex(16) + Path(filename).suffix.lower())
    partial = stored.with_suffix(stored.suffix + ".part")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, stored)
    kind = content_type(filename)
    expires = now + timedelta(hours=config.web.file_link_hours)
    purpose = PHOTO if kind.startswith("image/") else FILE
    await web.add_link(
        tx,
        digest(token),
        purpose,
        member_id,
        iso(now),
        iso(expires),
        filename=filename,
        content_type=kind,
        path=stored.name,
    )
    return Made(config.web.public_url + FILE_PATH + token, expires)


async def photo(
    tx: Tx, config: Config, member_id: int, now: datetime, ref: str, filename: str = "anh.jpg"
) -> Made:
    """A link to a report photo the bot already holds ("file:<path>" or "tg:<file_id>"),
    for a messenger that sends pictures only from a URL (Zalo's sendPhoto)."""
    token = new_token()
    expires = now + timedelta(hours=config.web.file_link_hours)
    await web.add_link(
        tx,
        digest(token),
        PHOTO,
        member_id,
        iso(now),
        iso(expires),
        filename=filename,
        content_type=content_type(filename),
        ref=ref,
    )
    return Made(config.web.public_url + FILE_PATH + token, expires)
