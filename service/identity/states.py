"""The identity-verification state table (rulesets/workflow/identity_states.yaml), checked on load.

``step`` answers the one question the workflow asks: may this role do this action
from this status, and to which status does it lead given the online check's
outcome (the table's ``when``)?  Anything the table does not list is a 409 carrying
the current status.
"""
from __future__ import annotations

from service import statemachine
from service.reference import files as reference
from service.rules import bound

ROLES = ("portal", "county", "province")
OUTCOMES = ("passed", "failed")
FILE = "rulesets/workflow/identity_states.yaml"


def read(rel: str, doc) -> statemachine.Table:
    return statemachine.read_table(rel, doc, roles=ROLES, guards=OUTCOMES, shape=statemachine.STATUSES)


def table_for(root: str) -> statemachine.Table:
    return read(*reference.load("identity_states", root))


def table() -> statemachine.Table:
    return bound.table(FILE, read)


MACHINE = statemachine.Machine(
    table, "identity", state_keys=("identity_status", "identity_label"),
    refused="身份认证状态为「{label}」，不能 {action} / identity status is {state}: {action} is not possible now")
require = MACHINE.require


def step(status: str, action: str, role: str, outcome: str | None = None) -> statemachine.Transition:
    """The step the table allows, or Forbidden (the role never may) / Conflict (not from this status)."""
    return MACHINE.step(status, action, role, lambda when: when == outcome)
