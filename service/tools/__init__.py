"""Tools for curriculum staff and auditors: check, test, explain, diff, what-if, publish, export, replay; audit API."""
from __future__ import annotations

from . import audit_commands
from .api import blp as audit_blp
from .commands import COMMANDS

COMMANDS = [*COMMANDS, *audit_commands.COMMANDS]  # publish, export, replay (the log's auditors)

BLUEPRINTS = [audit_blp]  # the auditors' read-only HTTP endpoints

__all__ = ["BLUEPRINTS", "COMMANDS"]
