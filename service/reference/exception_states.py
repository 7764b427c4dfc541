"""The per-candidate exceptions' state table (rulesets/workflow/exception_states.yaml), read strictly.

The reading lives here, below the exceptions feature, so that ``sxzk check`` validates the
file with the rest of the bundle (service/tools/tables.py), as it does the transfer-out table.
"""
from __future__ import annotations

import functools

from service import statemachine

FILE = "rulesets/workflow/exception_states.yaml"
ROLES = ("curriculum", "province")
GUARDS = ("not_approved",)
read = functools.partial(statemachine.read_table, roles=ROLES, guards=GUARDS)
