"""The workflow's notion of "now", in Shanghai time, which tests and demos can move.

Windows open and close, events are stamped and decisions are dated by this clock
only, so one setting places a whole test or demo inside or outside a window:
the setting ``CLOCK_NOW`` of the app's config or, when that is unset, the
environment variable ``SXZK_NOW`` (both an ISO date-time; without an offset it is
read as Shanghai time).  Unset, it is the real time.

A ``Clock`` holds the settings it reads.  ``now()`` asks the clock in use: the one
the web layer binds for each app context (``service/web/current.py``) or, outside
any, one that reads the environment only.  Library code stays free of Flask and
still follows the clock of the app that runs it, however deep the call.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from service.errors import ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG_KEY = "CLOCK_NOW"
ENV_KEY = "SXZK_NOW"


class ClockSettingError(ServiceError):
    """A fixed time that cannot be read: a deployment mistake, reported at start."""

    status = 500
    code = "bad_clock_setting"


class Clock:
    """Shanghai time, fixed by ``settings[CLOCK_NOW]`` or ``SXZK_NOW`` when either is set.

    ``settings`` is read on every call (an app's config: tests move the clock after start).
    """

    def __init__(self, settings: Mapping | None = None):
        self.settings = settings if settings is not None else {}

    def now(self) -> dt.datetime:
        if self.settings.get(CONFIG_KEY):
            return parse(self.settings[CONFIG_KEY], f"config {CONFIG_KEY}")
        if os.environ.get(ENV_KEY):
            return parse(os.environ[ENV_KEY], f"environment variable {ENV_KEY}")
        return host_now().astimezone(SHANGHAI)

    def today(self) -> dt.date:
        return self.now().date()


def host_now() -> dt.datetime:
    """The host's real time (aware, UTC): the only place the service reads it, so a test can stand in for it."""
    return dt.datetime.now(dt.UTC)


_ENVIRONMENT = Clock()
_in_use: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("clock", default=None)


def now() -> dt.datetime:
    """The current time of the clock in use, as an aware datetime in Asia/Shanghai."""
    return (_in_use.get() or _ENVIRONMENT).now()


def today() -> dt.date:
    return now().date()


def bind(clock: Clock) -> contextvars.Token:
    """Make ``clock`` the one in use in this context until ``unbind(token)``."""
    return _in_use.set(clock)


def unbind(token: contextvars.Token) -> None:
    _in_use.reset(token)


@contextlib.contextmanager
def using(clock: Clock):
    token = bind(clock)
    try:
        yield clock
    finally:
        unbind(token)


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
