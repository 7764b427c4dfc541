"""The workflow's notion of "now", in Shanghai time, which tests and demos can move.

Windows open and close, events are stamped and decisions are dated by this clock
only, so one setting places a whole test or demo inside or outside a window:
the app's config key ``CLOCK_NOW`` or, when the app does not set it, the
environment variable ``SXZK_NOW`` (both an ISO date-time; without an offset it is
read as Shanghai time).  Unset, it is the real time.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from service.errors import ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG_KEY = "CLOCK_NOW"
ENV_KEY = "SXZK_NOW"


class ClockSettingError(ServiceError):
    """A fixed time that cannot be read: a deployment mistake, reported at start."""

    status = 500
    code = "bad_clock_setting"


def now(app_config=None) -> dt.datetime:
    """The current time as an aware datetime in Asia/Shanghai."""
    setting, where = _setting(app_config)
    if not setting:
        return dt.datetime.now(SHANGHAI)
    return parse(setting, where)


def today(app_config=None) -> dt.date:
    return now(app_config).date()


def parse(text: str, where: str = "time") -> dt.datetime:
    """An ISO date or date-time; naive values are Shanghai time."""
    try:
        value = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ClockSettingError(f"{where} must be an ISO date-time such as 2026-11-20T10:00:00+08:00, "
                                f"got {text!r}") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def _setting(app_config) -> tuple[str | None, str]:
    if app_config is None:
        app_config = _current_config()
    if app_config is not None and app_config.get(CONFIG_KEY):
        return app_config[CONFIG_KEY], f"config {CONFIG_KEY}"
    return os.environ.get(ENV_KEY) or None, f"environment variable {ENV_KEY}"


def _current_config():
    # Library code runs both inside requests and in CLI commands or worker threads;
    # only inside an app context is there a config to read.
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - flask is a dependency of the service
        return None
    return current_app.config if has_app_context() else None
