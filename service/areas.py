"""Feature areas plug into the app without editing shared files.

Each area package may export, in its ``__init__``:
- ``BLUEPRINTS``: flask-smorest blueprints to register;
- ``MIGRATIONS``: ``[(name, fn(db))]`` appended after the core's, in this order;
- ``COMMANDS``: click commands added to the ``sxzk`` CLI.
"""
from __future__ import annotations

import importlib

AREAS = ("service.workflow", "service.forms", "service.transfer", "service.tools")


def collect(attr: str) -> list:
    out = []
    for name in AREAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the area exists but something it imports is missing
                raise
            continue
        out.extend(getattr(module, attr, []))
    return out
