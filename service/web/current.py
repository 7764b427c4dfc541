"""What the running app gives views and commands: the one module that reads Flask's app context.

Views and CLI commands take the rulebook, rules root, clock, settings and database
from here and pass them to library code as arguments; library code never imports
Flask.  The clock and the rules root are in addition bound for each app context
(``init_app``), since the workflow reads them deep inside a call (is a window
open, when did an event happen) where handing them down every call chain would
not pay: library code reads them with ``clock.now()`` and ``files.root_key()``.
"""
from __future__ import annotations

from flask import appcontext_pushed, current_app, g

from service import clock as clocks
from service import config as settings


def init_app(app) -> None:
    """Give the app its clock (checked now: a bad setting stops the start) and bind it per app context."""
    app.extensions["clock"] = clocks.Clock(app.config)
    app.extensions["clock"].now()
    appcontext_pushed.connect(_bind, app, weak=False)
    app.teardown_appcontext(_unbind)


def _bind(app, **_extra) -> None:
    g.setdefault("_bound", []).append((clocks.bind(app.extensions["clock"]),
                                       settings.bind_rules_root(app.config["RULES_ROOT"])))


def _unbind(_exc=None) -> None:
    # a context pushed twice is torn down once, at its last pop: undo every binding, newest first
    for clock_token, root_token in reversed(g.pop("_bound", [])):
        settings.unbind_rules_root(root_token)
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
