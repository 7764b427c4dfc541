"""The identity-verification state table (rulesets/workflow/identity_states.yaml), checked on load.

``step`` answers the one question the workflow asks: may this role do this action
from this status, and to which status does it lead given the online check's
outcome (the table's ``when``)?  Anything the table does not list is a 409 carrying
the current status.
"""
from __future__ import annotations

import functools

from service import statemachine
from service.reference import files as reference

ROLES = ("portal", "county", "province")
OUTCOMES = ("passed", "failed")


@functools.lru_cache(maxsize=8)
def table_for(root: str) -> statemachine.Table:
    rel, doc = reference.load("identity_states", root)
    return statemachine.read_table(rel, doc, roles=ROLES, guards=OUTCOMES, shape=statemachine.STATUSES)


def table() -> statemachine.Table:
    return table_for(reference.root_key())


MACHINE = statemachine.Machine(
    table, "identity", state_keys=("identity_status", "identity_label"),
    refused="身份认证状态为「{label}」，不能 {action} / identity status is {state}: {action} is not possible now")
require = MACHINE.require


def step(status: str, action: str, role: str, outcome: str | None = None) -> statemachine.Transition:
    """The step the table allows, or Forbidden (the role never may) / Conflict (not from this status)."""
    return MACHINE.step(status, action, role, lambda when: when == outcome)
