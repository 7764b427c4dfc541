"""What the running app gives views and commands: the one module that reads Flask's app context.

Views and CLI commands take the rulebook, rules root, clock, settings and database
from here and pass them to library code as arguments; library code never imports
Flask.  The clock and the bundle in force are in addition bound for each app context
(``init_app``), since the workflow reads them deep inside a call (is a window
open, when did an event happen, what does the table allow) where handing them down
every call chain would not pay: library code reads them with ``clock.now()`` and
``service.rules.bound`` (the bundle is asked of ``Rulebook.current()`` on first use).
"""
from __future__ import annotations

from flask import appcontext_pushed, current_app, g, has_request_context, request

from service import clock as clocks
from service.rules import bound
from service.store import ruleset_archive
from service.translations import DEFAULT_LOCALE, LOCALES


def init_app(app) -> None:
    """Give the app its clock (checked now: a bad setting stops the start) and bind it per app context."""
    app.extensions["clock"] = clocks.Clock(app.config)
    app.extensions["clock"].now()
    appcontext_pushed.connect(_bind, app, weak=False)
    app.teardown_appcontext(_unbind)


def _bind(app, **_extra) -> None:
    rulebook = app.extensions.get("rulebook")
    provider = rulebook.current if rulebook else _no_rulebook
    g.setdefault("_bound", []).append((clocks.bind(app.extensions["clock"]), bound.bind(provider, _archived)))


def _no_rulebook():
    raise RuntimeError("the app has no rulebook yet (create_app sets it up before any request)")


def _archived(version: str):
    """An archived version's bundle (an application's kept rules), rebuilt once per process."""
    return rulebook().version(version, lambda v: ruleset_archive.files_of(db(), v))


def _unbind(_exc=None) -> None:
    # a context pushed twice is torn down once, at its last pop: undo every binding, newest first
    for clock_token, bundle_token in reversed(g.pop("_bound", [])):
        bound.unbind(bundle_token)
        clocks.unbind(clock_token)


def config():
    return current_app.config


def rulebook():
    return current_app.extensions["rulebook"]


def follow_rules_in_force() -> None:
    """Before each request: serve the version the database says is in force (one read unless it moved).

    An in-memory database is private to its connection: nothing to follow, the files are served.
    """
    if current_app.config["DATABASE"] != ":memory:":
        rulebook().sync(db(), now().date())


def rules_root() -> str:
    return str(current_app.config["RULES_ROOT"])


def clock() -> clocks.Clock:
    return current_app.extensions["clock"]


def now():
    return clock().now()


def db():
    """This request's (or command's) connection, kept per thread by service/store/db.py."""
    return current_app.extensions["get_db"]()


def locale() -> str:
    """The language of the request's messages: English when Accept-Language prefers it, else Chinese.

    Outside a request (the CLI, a test's app context) it is Chinese, the service's default.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)
