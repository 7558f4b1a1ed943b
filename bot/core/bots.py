"""Which bot serves whom, when several bots of one messenger share the database.

Each bot is its own channel: the single `[telegram]` / `[zalo]` bot keeps the names
"telegram" / "zalo", a listed bot is "telegram:<name>" / "zalo:<name>". A member is served
by the bot whose subtree is the deepest one holding their unit; a supervisor whose unit
holds a bot's whole subtree may use that bot too. With one bot per messenger nothing is
routed: every call here then answers as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import Config

SEPARATOR = ":"


def messenger_of(channel: str) -> str:
    """The messenger a channel belongs to ("telegram" for "telegram:lang-son"), where the
    code cares which platform it talks to (file ids, buttons), not which bot."""
    return channel.split(SEPARATOR, 1)[0]


def bot_channel(messenger: str, name: str) -> str:
    """The channel name of a listed bot."""
    return f"{messenger}{SEPARATOR}{name}"


@dataclass(frozen=True)
class BotRoute:
    """One bot: its channel, the subtree it serves ("" = all) and how members find it."""

    channel: str
    subtree: str
    username: str = ""

    @property
    def messenger(self) -> str:
        """Telegram or Zalo."""
        return messenger_of(self.channel)

    def holds(self, unit_path: str) -> bool:
        """Whether the unit lies in this bot's subtree."""
        sub = self.subtree
        return not sub or unit_path == sub or unit_path.startswith(sub + "/")

    @property
    def shown(self) -> str:
        """The name a member looks for: @username on Telegram, the bot's name on Zalo, else
        the bot's channel."""
        if not self.username:
            return self.channel
        name = self.username.lstrip("@")
        return "@" + name if self.messenger == "telegram" else name


def _above(unit_path: str, subtree: str) -> bool:
    """Whether a unit holds the whole subtree (its member oversees all the bot serves)."""
    if not unit_path:
        return True
    return bool(subtree) and (subtree == unit_path or subtree.startswith(unit_path + "/"))


class Router:
    """The bots of a config and the rules that pick one for a unit."""

    def __init__(self, routes: list[BotRoute]) -> None:
        self.routes = routes
        self._by_channel = {route.channel: route for route in routes}
        self._counts: dict[str, int] = {}
        for route in routes:
            self._counts[route.messenger] = self._counts.get(route.messenger, 0) + 1
        # a wave of reminders asks for the same units again and again
        self._serving: dict[tuple[str, str], BotRoute | None] = {}

    @classmethod
    def of(cls, config: Config) -> Router:
        """The bots the config lists, with the single bot of a messenger serving the whole
        tree when its token is set."""
        routes: list[BotRoute] = []
        if config.telegram_token:
            routes.append(BotRoute("telegram", "", config.telegram.bot_username))
        routes += [
            BotRoute(bot_channel("telegram", b.name), b.subtree, b.bot_username)
            for b in config.telegram.bots
        ]
        if config.zalo_token:
            routes.append(BotRoute("zalo", ""))
        routes += [
            BotRoute(bot_channel("zalo", b.name), b.subtree, b.bot_username)
            for b in config.zalo.bots
        ]
        return cls(routes)

    def several(self, messenger: str | None = None) -> bool:
        """Whether some messenger (or this one) has more than one bot: routing matters."""
        if messenger is not None:
            return self._counts.get(messenger, 0) > 1
        return any(count > 1 for count in self._counts.values())

    def route(self, channel: str) -> BotRoute | None:
        """The bot behind a channel (None: the terminal, or a bot no longer listed)."""
        return self._by_channel.get(channel)

    def serving(self, messenger: str, unit_path: str) -> BotRoute | None:
        """The bot of a messenger for a unit: the deepest subtree holding it."""
        key = (messenger, unit_path)
        if key not in self._serving:
            self._serving[key] = self._deepest(messenger, unit_path)
        return self._serving[key]

    def _deepest(self, messenger: str, unit_path: str) -> BotRoute | None:
        best: BotRoute | None = None
        for route in self.routes:
            if route.messenger != messenger or not route.holds(unit_path):
                continue
            if best is None or len(route.subtree) > len(best.subtree):
                best = route
        return best

    def may_use(self, channel: str, unit_path: str) -> bool:
        """Whether a member of this unit is served through this channel: the bot of their
        subtree, or any bot whose whole subtree their unit holds (a supervisor above
        several provinces). A unit no bot holds may use any (there is none to point to)."""
        route = self._by_channel.get(channel)
        if route is None or not self.several(route.messenger):
            return True
        serving = self.serving(route.messenger, unit_path)
        if serving is None or serving.channel == channel:
            return True
        return _above(unit_path, route.subtree)

    def channels_of(self, messenger: str) -> list[str]:
        """Every bot channel of a messenger (where else a user may be known)."""
        return [route.channel for route in self.routes if route.messenger == messenger]


def tg_ref(channel: str, file_id: str) -> str:
    """The reference of a file a Telegram bot received: a file id works only on the bot
    that received it, so a listed bot's ids carry its name ("tg:<file_id>@<name>")."""
    name = channel.partition(SEPARATOR)[2]
    return f"tg:{file_id}@{name}" if name else f"tg:{file_id}"


def tg_parts(ref: str) -> tuple[str, str]:
    """(file id, channel of the bot holding it) of a Telegram file reference."""
    file_id, _, name = ref.removeprefix("tg:").partition("@")
    return file_id, bot_channel("telegram", name) if name else "telegram"
