"""Settings from the environment (or a `.env` file), checked once at start-up.

A bad value stops the program with one line naming the variable, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from handlers.handoff import WorkingHours
from review.labels import LANGS as REPORT_LANGS
from review.period import DEFAULT_REPORT_TIME, parse_report_time

OFFICIAL_API = "https://api.telegram.org"
# python-telegram-bot is the default: measured on a restart it is ready in a fraction of the
# time aiogram takes to import, in a fifth of the memory (benchmarks/RESULTS.md, start-up).
FRAMEWORKS = ("ptb", "aiogram")
DEFAULT_FRAMEWORK = "ptb"


class ConfigError(Exception):
    """A setting has a value helpline cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_url: str
    data_dir: Path
    content_dir: Path | None
    hash_key: str | None
    retention_days: int
    caseworker_chat_id: int | None
    admin_ids: frozenset[int]
    caseworker_hours: WorkingHours | None = None
    report_time: str = DEFAULT_REPORT_TIME  # weekday and Bishkek time of the weekly report
    report_lang: str = "en"

    @property
    def model_cache(self) -> Path:
        """Trained models, shared by the bot, the weekly report and the review loop."""
        return self.data_dir / "cache"

    delivery_retry_hours: float = 12.0  # how long a reply Telegram cannot take is retried

    @property
    def database_path(self) -> Path:
        from storage.database import DB_FILE

        return self.data_dir / DB_FILE


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "helpline"


def _integer(name: str, raw: str, minimum: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _hours(name: str, raw: str) -> float:
    """A number of hours between a minute and a week (Telegram keeps nothing longer)."""
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number of hours, got {raw!r}") from None
    if not 1 / 60 <= value <= 168:
        raise ConfigError(f"{name} must be between 0.017 (a minute) and 168 (a week), got {value:g}")
    return value


def load_settings(environ: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Read settings; values already in the environment win over `.env`."""
    if environ is None:
        if dotenv:
            load_dotenv(Path.cwd() / ".env", override=False)
        environ = dict(os.environ)
    get = lambda name: (environ.get(name) or "").strip() or None  # noqa: E731

    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None:
        head, _, tail = token.partition(":")
        if not head.isdigit() or not tail:
            raise ConfigError("TELEGRAM_BOT_TOKEN must look like 123456:ABC-DEF… (from @BotFather)")
    api_url = (get("TELEGRAM_API_URL") or OFFICIAL_API).rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_URL must start with http:// or https://, got {api_url!r}")
    content_dir = Path(get("HELPLINE_CONTENT_DIR")) if get("HELPLINE_CONTENT_DIR") else None
    if content_dir is not None and not content_dir.is_dir():
        raise ConfigError(f"HELPLINE_CONTENT_DIR is not a folder: {content_dir}")
    hash_key = get("HELPLINE_HASH_KEY")
    if hash_key is not None and len(hash_key) < 16:
        raise ConfigError("HELPLINE_HASH_KEY must be at least 16 characters long")
    retention = _integer("HELPLINE_RETENTION_DAYS", get("HELPLINE_RETENTION_DAYS") or "180", minimum=1)
    chat = get("HELPLINE_CASEWORKER_CHAT_ID")
    admins_raw = get("HELPLINE_ADMIN_IDS") or ""
    admins = frozenset(
        _integer("HELPLINE_ADMIN_IDS", part) for part in admins_raw.replace(";", ",").split(",") if part.strip()
    )
    retry_hours = _hours("HELPLINE_DELIVERY_RETRY_HOURS", get("HELPLINE_DELIVERY_RETRY_HOURS") or "12")
    hours_text = get("HELPLINE_CASEWORKER_HOURS")
    try:
        hours = WorkingHours.parse(hours_text) if hours_text else None
    except ValueError as error:
        raise ConfigError(f"HELPLINE_CASEWORKER_HOURS: {error}") from None
    report_time = get("HELPLINE_REPORT_TIME") or DEFAULT_REPORT_TIME
    try:
        parse_report_time(report_time)
    except ValueError as error:
        raise ConfigError(f"HELPLINE_REPORT_TIME: {error}") from None
    report_lang = (get("HELPLINE_REPORT_LANG") or "en").lower()
    if report_lang not in REPORT_LANGS:
        raise ConfigError(f"HELPLINE_REPORT_LANG must be one of {', '.join(REPORT_LANGS)}, got {report_lang!r}")
    return Settings(
        token=token,
        api_url=api_url,
        data_dir=Path(get("HELPLINE_DATA_DIR") or _default_data_dir()),
        content_dir=content_dir,
        hash_key=hash_key,
        retention_days=retention,
        caseworker_chat_id=_integer("HELPLINE_CASEWORKER_CHAT_ID", chat) if chat else None,
        admin_ids=admins,
        caseworker_hours=hours,
        report_time=report_time,
        report_lang=report_lang,
        delivery_retry_hours=retry_hours,
    )
