"""Tools for curriculum staff and auditors: check, test, explain, diff, what-if, publish, export, replay; audit API."""
from __future__ import annotations

COMMANDS: list = []
BLUEPRINTS: list = []
