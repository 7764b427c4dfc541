"""Tools for curriculum staff and auditors: check, test, explain, diff, what-if, publish, export, replay; audit API."""
from __future__ import annotations

from .commands import COMMANDS

BLUEPRINTS: list = []

__all__ = ["BLUEPRINTS", "COMMANDS"]
