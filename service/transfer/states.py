"""The transfer-out application's state table (rulesets/transfer/transfer_out_states.yaml) and its machine.

Only ``transition`` (``service.statemachine.Machine.transition``) writes
``transfer_outs.state``; who may see an application is the graduation
application's rule (``service.applications.states.visible``).
"""
from __future__ import annotations

from service import statemachine
from service.applications.states import visible
from service.errors import N_
from service.reference import transfer_rules

ROLES = transfer_rules.STATE_ROLES
MAX_REASON = statemachine.MAX_REASON

MACHINE = statemachine.Machine(
    statemachine.bundle_table(transfer_rules.STATES_FILE, transfer_rules.read_states), "transfer-out application", rows="transfer_outs",
    columns=("id", "exam_number", "round", "district", "state"), visible=visible,
    events="transfer_out_events", key="transfer_id", forbidden=N_("role {role} may not {action} a {noun}"))
table, check_role, check_allowed, transition, transfer_row, record_event, history = (
    MACHINE.table, MACHINE.check_role, MACHINE.check_allowed, MACHINE.transition, MACHINE.row, MACHINE.record_event,
    MACHINE.history)
