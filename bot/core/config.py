"""Configuration: a TOML file validated by pydantic, secrets only from the environment.

An invalid file stops start-up with a message naming the key and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core import dates
from bot.core.config_alerts import AlertsSection
from bot.core.config_bots import (
    TelegramBotEntry,
    ZaloBotEntry,
    check_bots,
    give_tokens,
    missing_token,
    token_in_file,
)
from bot.core.config_cluster import TELEGRAM_SECRET_ENV, ClusterSection, telegram_webhook_problem
from bot.core.config_commend import CommendSection
from bot.core.config_database import DATABASE_READ_URL_ENV, DATABASE_URL_ENV, DatabaseSection
from bot.core.config_movement import (
    DEFAULT_RATINGS,
    TARGET_KEYS,
    Key,
    Milestone,
    Phase,
    RatingRule,
    RemindersSection,
    Section,
    TallySection,
    TallySources,
    TallyTargets,
)
from bot.core.config_secrets import (
    TOKEN_ENV,
    ZALO_SECRET_ENV,
    ZALO_TOKEN_ENV,
    ConfigError,
    no_secrets_in,
)
from bot.core.config_supervised import SupervisedSection
from bot.core.config_web import WebSection
from bot.movement.preset import MovementSection, PresetError, with_preset

__all__ = [
    "TOKEN_ENV",
    "ZALO_SECRET_ENV",
    "ZALO_TOKEN_ENV",
    "DEFAULT_RATINGS",
    "TARGET_KEYS",
    "Config",
    "ConfigError",
    "Key",
    "Milestone",
    "Phase",
    "RatingRule",
    "RemindersSection",
    "TallySection",
    "TallySources",
    "TallyTargets",
    "load_config",
]


_Section = Section


class BotSection(_Section):
    locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    # A messenger unreachable at start-up is tried again after this many seconds, doubling
    # up to the maximum, while the other messenger serves.
    reconnect_first_seconds: float = Field(default=5.0, gt=0, le=3600)
    reconnect_max_seconds: float = Field(default=300.0, gt=0, le=86400)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. 'Asia/Ho_Chi_Minh'") from exc
        return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]  # a Bot API root, without trailing '/'


class TelegramSection(_Section):
    base_url: HttpUrl = "https://api.telegram.org"
    bot_username: str = ""
    poll_interval: float = Field(default=0.0, ge=0)
    # The outbox sender's pace, below Telegram's caps (about 30 messages/s, 1/s per chat).
    send_rate: float = Field(default=25.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    # "webhook": Telegram posts updates to webhook_url (several processes behind a load
    # balancer); "polling": this one process asks for them.
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8444, ge=0, le=65535)
    webhook_path: str = "/telegram/webhook"
    token: SecretStr | None = Field(default=None, exclude=True)
    bots: list[TelegramBotEntry] = []  # several bots, one per subtree (config_bots.py)
    webhook_secret: SecretStr | None = Field(default=None, exclude=True)


class ZaloSection(_Section):
    base_url: HttpUrl = "https://bot-api.zaloplatforms.com"
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(default=30, ge=1, le=60)
    media_dir: str = "data/media"
    max_photo_mb: float = Field(default=10, gt=0, le=50)
    send_rate: float = Field(default=10.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    webhook_url: str = ""
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    webhook_path: str = "/zalo/webhook"
    token: SecretStr | None = Field(default=None, exclude=True)
    webhook_secret: SecretStr | None = Field(default=None, exclude=True)
    bots: list[ZaloBotEntry] = []  # several bots, one per subtree (config_bots.py)

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/', e.g. '/zalo/webhook'")
        return value


_SHIFT = r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d"


class ReportsSection(_Section):
    deadline: time = time(21, 0)
    edit_deadline: time | None = None
    max_age_days: int = Field(default=7, ge=0, le=366)
    forms_file: str = ""
    recent_limit: int = Field(default=10, ge=1, le=50)
    # The reporting day runs on until this time the next morning (night patrols end after
    # the deadline): until then a new report is for the day before by default.
    day_ends_at: time = time(6, 0)
    # The longest voice note taken as a free-text answer (Telegram); longer ones are refused.
    voice_max_seconds: int = Field(default=300, ge=1, le=3600)
    # Shifts offered as buttons while a team has no patrols on record yet ("19:00-21:00").
    default_shifts: list[str] = Field(
        default=["19:00-21:00", "21:00-23:00"],
        max_length=4,
    )

    @field_validator("default_shifts")
    @classmethod
    def _shifts(cls, value: list[str]) -> list[str]:
        for shift in value:
            if not re.fullmatch(_SHIFT, shift):
                raise ValueError(f'{shift!r} is not a shift like "19:00-21:00"')
        return value

    @property
    def effective_edit_deadline(self) -> time:
        """Edits close at the day's report deadline unless a separate time is set."""
        return self.edit_deadline or self.deadline


class InvitesSection(_Section):
    default_days: int = Field(default=14, ge=1, le=365)
    default_uses: int = Field(default=1, ge=1, le=10000)
    link_minutes: int = Field(default=10, ge=1, le=1440)


class OutboxSection(_Section):
    """How the sender retries: transient errors back off, then the message is given up."""

    max_attempts: int = Field(default=8, ge=1, le=100)
    backoff_seconds: float = Field(default=5.0, gt=0)
    backoff_max_seconds: float = Field(default=1800.0, gt=0)
    max_in_flight: int = Field(default=8, ge=1, le=256)


class InboundSection(_Section):
    """Updates received from the messengers: how many times one may fail before it is set
    aside (kept, never replayed again), and how long the journal and the ids are kept."""

    max_attempts: int = Field(default=3, ge=1, le=20)
    keep_journal_days: int = Field(default=2, ge=1, le=60)  # handled updates in the journal
    keep_update_ids_days: int = Field(default=7, ge=1, le=60)  # ids that stop a redelivery
    keep_failed_days: int = Field(default=30, ge=1, le=366)  # updates set aside
    prune_every_minutes: int = Field(default=60, ge=1, le=1440)

    @model_validator(mode="after")
    def _ids_outlive_journal(self) -> InboundSection:
        if self.keep_update_ids_days < self.keep_journal_days:
            raise ValueError(
                "keep_update_ids_days must be at least keep_journal_days: a journaled update "
                "whose id was forgotten would be handled again"
            )
        return self


class OrgImportSection(_Section):
    """Limits of `antt-bot org import`, checked before a file is read into memory, and the
    size of the short write batches that keep a running bot answering during an import."""

    max_file_mb: float = Field(default=50, gt=0, le=2048)
    max_sheet_mb: float = Field(default=200, gt=0, le=4096)  # XLSX sheet once unzipped
    max_cells: int = Field(default=5_000_000, ge=1, le=200_000_000)
    batch_rows: int = Field(default=500, ge=1, le=100_000)


class RosterSection(_Section):
    """`antt-bot roster`: how long a member's personal code stays usable (it is handed out
    on paper at a commune meeting, so weeks pass), and the Zalo account named on the sheet."""

    invite_days: int = Field(default=90, ge=1, le=730)
    zalo_name: str = Field(default="", max_length=80)  # e.g. "Công an xã Bắc Sơn"


class AnnouncementsSection(_Section):
    max_chars: int = Field(default=2000, ge=50, le=4000)  # Zalo's limit is 2,000
    progress_seconds: float = Field(default=10.0, gt=0)  # how often the sender is told


class DemoSection(_Section):
    database_path: str = "data/antt-demo.sqlite3"


class Config(_Section):
    bot: BotSection = BotSection()
    database: DatabaseSection = DatabaseSection()
    telegram: TelegramSection = TelegramSection()
    zalo: ZaloSection = ZaloSection()
    reports: ReportsSection = ReportsSection()
    invites: InvitesSection = InvitesSection()
    tally: TallySection = TallySection()
    reminders: RemindersSection = RemindersSection()
    outbox: OutboxSection = OutboxSection()
    announcements: AnnouncementsSection = AnnouncementsSection()
    inbound: InboundSection = InboundSection()
    org_import: OrgImportSection = OrgImportSection()
    roster: RosterSection = RosterSection()
    demo: DemoSection = DemoSection()
    alerts: AlertsSection = AlertsSection()
    supervised: SupervisedSection = SupervisedSection()
    movement: MovementSection = MovementSection()  # a plan's preset (bot/movement/preset.py)
    commend: CommendSection = CommendSection()
    web: WebSection = WebSection()  # pages and file links (bot/web/)
    cluster: ClusterSection = ClusterSection()  # several processes on one database

    @model_validator(mode="after")
    def _reminders_before_deadline(self) -> Config:
        deadline = self.reports.deadline
        rem = self.reminders
        if rem.daily_at >= deadline:
            raise ValueError(
                f"reminders.daily_at ({dates.clock(rem.daily_at)}) must be before reports.deadline "
                f"({dates.clock(deadline)}): a reminder after the deadline is too late"
            )
        second = rem.second_at(deadline)
        if second is not None and second <= rem.daily_at:
            raise ValueError(
                f"reminders.second_before_minutes ({rem.second_before_minutes}) puts the second "
                f"reminder at {dates.clock(second)}, not after daily_at "
                f"({dates.clock(rem.daily_at)}); "
                f"lower it, or set 0 for no second reminder"
            )
        return self

    @property
    def telegram_token(self) -> str | None:
        """The bot token, or None when Telegram is not configured (then the demo runs)."""
        token = self.telegram.token
        return token.get_secret_value() if token else None

    @property
    def listed_bots(self) -> bool:
        """Whether `[[telegram.bots]]` or `[[zalo.bots]]` lists any bot to serve."""
        return bool(self.telegram.bots or self.zalo.bots)

    def missing_bot_token(self) -> str | None:
        """The error `antt-bot run` stops with when a listed bot's token variable is unset."""
        return missing_token("telegram", self.telegram.bots) or missing_token(
            "zalo", self.zalo.bots
        )

    @property
    def zalo_token(self) -> str | None:
        """The Zalo bot token, or None when Zalo is not configured."""
        token = self.zalo.token
        return token.get_secret_value() if token else None


def load_config(path: str | Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read and validate the config; a missing default file means all defaults."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    if path is not None:
        file = Path(path)
        if not file.exists():
            raise ConfigError(f"config file not found: {file}")
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    no_secrets_in(raw)
    try:
        raw = with_preset(raw, Path(path).parent if path is not None else None)
    except PresetError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc
    _secrets_from(env, config)
    _check_zalo(config)
    _bot_tokens(config, env, raw)
    if config.telegram_token or config.telegram.bots:
        tg = config.telegram
        secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
        problem = telegram_webhook_problem(tg.mode, tg.webhook_url, secret)
        if problem is not None:
            raise ConfigError(problem)
    return config


def _bot_tokens(config: Config, env: Mapping[str, str], raw: Mapping[str, object]) -> None:
    """Check the listed bots and give each its token from the variable it names."""
    if (listed := token_in_file(raw)) is not None:
        raise ConfigError(
            f"{listed}: never put a bot token in a file; name the environment variable "
            f"holding it with token_env"
        )
    sections = (
        ("telegram", config.telegram.bots, config.telegram_token),
        ("zalo", config.zalo.bots, config.zalo_token),
    )
    try:
        for section, bots, single in sections:
            check_bots(section, bots, single=bool(single))
            give_tokens(bots, env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _secrets_from(env: Mapping[str, str], config: Config) -> None:
    """The tokens and webhook secrets set in the environment, into the config."""
    targets = (
        (TOKEN_ENV, config.telegram, "token"),
        (TELEGRAM_SECRET_ENV, config.telegram, "webhook_secret"),
        (ZALO_TOKEN_ENV, config.zalo, "token"),
        (ZALO_SECRET_ENV, config.zalo, "webhook_secret"),
    )
    for var, section, key in targets:
        value = env.get(var, "").strip()
        if value:
            setattr(section, key, SecretStr(value))
    # database URLs may carry a password: the environment's win over the file's
    for env_name, key in ((DATABASE_URL_ENV, "url"), (DATABASE_READ_URL_ENV, "read_url")):
        url = env.get(env_name, "").strip()
        if url:
            setattr(config.database, key, url)


def _check_zalo(config: Config) -> None:
    """Webhook mode needs a public URL and a secret Zalo can send back; say so at start-up."""
    zalo = config.zalo
    if not (config.zalo_token or zalo.bots) or zalo.mode != "webhook":
        return
    secret = zalo.webhook_secret.get_secret_value() if zalo.webhook_secret else ""
    if not 8 <= len(secret) <= 256:
        raise ConfigError(
            f"zalo.mode = 'webhook' needs a secret of 8 to 256 characters in the environment "
            f"variable {ZALO_SECRET_ENV}"
        )
    if not zalo.webhook_url.startswith("https://") and not zalo.webhook_url.startswith("http://"):
        raise ConfigError(
            "zalo.webhook_url: set the public HTTPS address Zalo should post updates to, "
            "e.g. 'https://bot.example.vn/zalo/webhook'"
        )


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "config"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against config.example.toml)"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)
