"""Every chat command declared once; the router, menu, help and Telegram's command list read it.

A new command is one `Command(...)` in `REGISTRY` (plus its texts in bot/locales/*.toml):
its Vietnamese and English names, who may use it, its main-menu button, the help sections
that explain it and its line in Telegram's command list; the function that runs it says so
with `@handles("<vietnamese name>")`. Who may use it is what the menu and help offer; each
handler still refuses, in its own words, whoever else types it.

This module imports no dialog: dialogs import it (to declare what they handle and, for the
menu, to list what a role is offered), so the registry stays below every handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.core.engine import Handler
from bot.core.i18n import DEFAULT_LOCALE, Texts
from bot.core.roles import (
    OVERSIGHT_ROLES,
    REPORTING_ROLES,
    UNIT_TALLY_ROLES,
    Role,
)

Roles = frozenset[Role] | None  # None: every registered member
H = TypeVar("H", bound=Handler)

# The data of the main menu's buttons (also carried by reminders: see the daily planner).
REPORT = "menu:report"
NIL = "menu:nil"
MINE = "menu:mine"
PENDING = "menu:pending"
TALLY = "menu:tally"
LEAVE = "menu:leave"
MEMBERS = "menu:members"
HELP = "menu:help"
HOME = "menu:home"


@dataclass(frozen=True)
class Button:
    """A button that does what its command does."""

    value: str  # the data the button carries
    label: str  # locale key of its label
    row: int | None = None  # its row in the main menu; None: offered elsewhere only


@dataclass(frozen=True)
class HelpSection:
    """One paragraph of the help, shown to the roles it is written for."""

    key: str  # locale key of the paragraph
    roles: Roles


@dataclass(frozen=True)
class Command:
    """One chat command and everything about it that the rest of the bot builds from."""

    vi: str
    en: str
    roles: Roles = None
    button: Button | None = None
    help: tuple[HelpSection, ...] = ()  # the help paragraphs that explain it
    listed: str | None = None  # locale key of its line in Telegram's list; None: not listed
    strangers: bool = False  # also for someone not registered (how they become known)

    @property
    def names(self) -> tuple[str, ...]:
        """Both names, each of which runs it whatever the member's language."""
        return (self.vi,) if self.en == self.vi else (self.vi, self.en)

    def name(self, locale: str) -> str:
        """The name to show a user of `locale`."""
        return self.vi if locale == DEFAULT_LOCALE else self.en

    @property
    def handler(self) -> Handler:
        """The function that runs it, declared with `@handles` where the dialog lives."""
        try:
            return _HANDLERS[self.vi]
        except KeyError:
            raise LookupError(
                f"no handler declares /{self.vi}: add @handles({self.vi!r})"
            ) from None


def allows(roles: Roles, role: str) -> bool:
    """Whether a member with `role` is offered what `roles` guards."""
    return roles is None or role in roles


REPORTER_HELP = HelpSection("help.reporter", REPORTING_ROLES)
TALLY_HELP = HelpSection("help.tally", UNIT_TALLY_ROLES)
OVERSIGHT_HELP = HelpSection("help.oversight", OVERSIGHT_ROLES)
COMMON_HELP = HelpSection("help.common", None)
MANAGE_HELP = HelpSection("manage.help", UNIT_TALLY_ROLES)
SUPERVISED_HELP = HelpSection("supervised.help", UNIT_TALLY_ROLES)
PHASE_REPORT_HELP = HelpSection("phase_report.help", OVERSIGHT_ROLES)
COMMEND_HELP = HelpSection("commend.help", OVERSIGHT_ROLES)
WEB_HELP = HelpSection("web.help", OVERSIGHT_ROLES)
# In the order shown.
HELP_SECTIONS = (
    REPORTER_HELP,
    TALLY_HELP,
    OVERSIGHT_HELP,
    PHASE_REPORT_HELP,
    MANAGE_HELP,
    SUPERVISED_HELP,
    COMMEND_HELP,
    WEB_HELP,
    COMMON_HELP,
)

# In the order of Telegram's command list; the main menu is ordered by `Button.row`.
REGISTRY: tuple[Command, ...] = (
    Command(
        "baocao",
        "report",
        roles=REPORTING_ROLES,
        button=Button(REPORT, "menu.report", row=0),
        help=(REPORTER_HELP,),
        listed="commands.report",
    ),
    Command(
        "khongcovuviec",
        "nil",
        roles=REPORTING_ROLES,
        button=Button(NIL, "menu.nil", row=1),
        help=(REPORTER_HELP,),
        listed="commands.nil",
    ),
    Command(
        "baocaocuatoi",
        "myreports",
        roles=REPORTING_ROLES,
        button=Button(MINE, "menu.mine", row=2),
        help=(REPORTER_HELP,),
        listed="commands.myreports",
    ),
    Command(
        "nghiphep",
        "leave",
        roles=REPORTING_ROLES | OVERSIGHT_ROLES,  # own leave, or leave for members
        button=Button(LEAVE, "menu.leave", row=5),
        help=(REPORTER_HELP, OVERSIGHT_HELP),
        listed="commands.leave",
    ),
    Command(
        "tinbao",
        "pending",
        roles=OVERSIGHT_ROLES,
        button=Button(PENDING, "menu.pending", row=4),
        help=(OVERSIGHT_HELP,),
        listed="commands.pending",
    ),
    Command(
        "thongke",
        "tally",
        roles=UNIT_TALLY_ROLES,
        button=Button(TALLY, "menu.tally", row=3),
        help=(TALLY_HELP,),
        listed="commands.tally",
    ),
    Command(
        "thongbao",
        "announce",
        roles=OVERSIGHT_ROLES,
        help=(OVERSIGHT_HELP,),
        listed="commands.announce",
    ),
    Command(
        "baocaodot",
        "phasereport",
        roles=OVERSIGHT_ROLES,
        help=(PHASE_REPORT_HELP,),
        listed="phase_report.command",
    ),
    Command(
        "lichsu", "history", help=(COMMON_HELP,), listed="history.command"
    ),  # changes to a report or a member
    Command(
        "thanhvien",
        "members",
        roles=UNIT_TALLY_ROLES,  # leaders see their team; officers and above manage people
        button=Button(MEMBERS, "manage.menu", row=6),
        help=(MANAGE_HELP,),
        listed="manage.command",
    ),
    Command(
        "quanly",
        "supervised",
        roles=UNIT_TALLY_ROLES,  # leaders their team, officers their area, supervisors read
        help=(SUPERVISED_HELP,),
        listed="supervised.command",
    ),
    Command(
        "khenthuong",
        "commend",
        roles=OVERSIGHT_ROLES,
        help=(COMMEND_HELP,),
        listed="commend.command",
    ),
    Command(
        "chitieu",
        "targets",
        roles=OVERSIGHT_ROLES,  # officers see; supervisors and admins also set
        help=(OVERSIGHT_HELP,),
        listed="targets.command",
    ),
    Command(
        "web",
        "web",
        roles=OVERSIGHT_ROLES,  # the pages are for those who steer
        help=(WEB_HELP,),
        listed="web.command",
    ),
    Command("huy", "cancel", help=(COMMON_HELP,), listed="commands.cancel"),
    Command(
        "lienket",
        "link",
        help=(COMMON_HELP,),
        listed="commands.link",
        strangers=True,
    ),
    Command(
        "kenhnhan",
        "messenger",
        help=(COMMON_HELP,),
        listed="commands.messenger",
    ),
    Command(
        "trogiup",
        "help",
        button=Button(HELP, "menu.help", row=7),
        listed="commands.help",
    ),
    Command(
        "menu",
        "menu",
        button=Button(HOME, "menu.back_to_menu"),  # "back to menu", under other lists
        help=(COMMON_HELP,),
    ),
    Command("ngonngu", "language", help=(COMMON_HELP,)),
    Command("sodienthoai", "phone", help=(COMMON_HELP,), listed="commands.phone"),
    Command("start", "start", strangers=True),  # joining: explained elsewhere
)


_HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[H], H]:
    """Declare, where a dialog is written, that this function runs the command `/name`: the
    registry lists what users see, the dialog says what runs (a name the registry does not
    know is an error at import time)."""
    if all(c.vi != name for c in REGISTRY):
        raise LookupError(f"/{name} is not in handlers.commands.REGISTRY")

    def declare(handler: H) -> H:
        """Record the handler and give it back unchanged, so it stays an ordinary function."""
        _HANDLERS[name] = handler
        return handler

    return declare


def menu_buttons(role: str) -> list[Button]:
    """The main menu of a member with `role`, top row first."""
    buttons = [
        c.button
        for c in REGISTRY
        if c.button is not None and c.button.row is not None and allows(c.roles, role)
    ]
    return sorted(buttons, key=lambda b: b.row or 0)  # every row here is set


def help_keys(role: str) -> list[str]:
    """The help paragraphs a member with `role` reads, after the title."""
    return [s.key for s in HELP_SECTIONS if allows(s.roles, role)]


def telegram_list(texts: Texts, locale: str) -> list[tuple[str, str]]:
    """Telegram's command list in `locale`, as (command, description) pairs: the commands
    worth finding there, in their everyday names."""
    return [(c.name(locale), texts.t(locale, c.listed)) for c in REGISTRY if c.listed]
