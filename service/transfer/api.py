"""HTTP for the transfer-out application: the portal applies, the county office confirms and decides.

Views translate HTTP to ``applications``' functions and back.  Candidates act through
the portal credential with X-Candidate; applications outside the caller's reach are
404; auditors read and never change anything.
"""
from __future__ import annotations

from flask_smorest import Blueprint

from service.applications.schemas import DecideSchema, StateTableSchema
from service.reference import transfer_rules as rules
from service.reference import windows
from service.transfer import records as applications
from service.transfer import states
from service.transfer.schemas import (
    TransferEventSchema,
    TransferListQuerySchema,
    TransferNoteSchema,
    TransferOutListSchema,
    TransferOutRequestSchema,
    TransferOutSchema,
    TransferPrecheckSchema,
    TransferRulesSchema,
)
from service.web import auth, current

blp = Blueprint("transfer_outs", __name__, url_prefix="/v1",
                description="Inter-provincial transfer out (省际转出): apply, withdraw, on-site confirmation, decision")

READERS = ("portal", "county", "city", "province", "auditor")
OFFICES = ("county", "province")
CONFIRMERS = ("city", *OFFICES)  # 至所属地市进行现场确认 (seed 000, 五.2); district offices keep it too


def _bundle():
    return current.rulebook().current()


@blp.route("/transfer-out/rules")
@blp.response(200, TransferRulesSchema)
@auth.require(*READERS)
def transfer_rules():
    """The choices of the application form (转入省, 转出原因), the conditions, and the 省际转出 window."""
    r = rules.current()
    return {"provinces": [{"code": p.code, "name": p.name} for p in r.provinces],
            "reasons": [{"name": x.name, "note_required": x.note_required} for x in r.reasons],
            "target_exam_number": {"min_digits": r.min_digits, "max_digits": r.max_digits},
            "conditions": [{"id": c.id, "label": c.label} for c in r.conditions],
            "non_transferable": r.non_transferable,
            "window": windows.state(applications.BUSINESS, current.now())}


@blp.route("/transfer-out/states")
@blp.response(200, StateTableSchema)
@auth.require(*READERS)
def state_table():
    """The transfer-out application's state table: every state, every transition and who may make it."""
    tbl = states.table()
    return {"initial": tbl.initial,
            "states": [{"name": s.name, "label": s.label, "final": s.final} for s in tbl.states.values()],
            "transitions": [{"action": t.action, "from": t.source, "to": t.target, "roles": list(t.roles),
                             "reason_required": t.reason_required} for t in tbl.transitions]}


@blp.route("/transfer-out/precheck")
@blp.response(200, TransferPrecheckSchema)
@auth.require("portal")
def precheck():
    """Each condition for the candidate in X-Candidate, and which courses would and would not transfer."""
    return applications.precheck(current.db(), _bundle(), auth.current())


@blp.route("/transfer-outs", methods=["POST"])
@blp.arguments(TransferOutRequestSchema)
@blp.response(201, TransferOutSchema)
@auth.require("portal")
def create_transfer_out(data):
    """提交申请 (seed 000, 五.1) while 省际转出 is open; a condition not met is a 409 naming it."""
    return applications.create(current.db(), _bundle(), auth.current(), data)


@blp.route("/transfer-outs")
@blp.arguments(TransferListQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, TransferOutListSchema)
@auth.require(*READERS)
def list_transfer_outs(query):
    """Applications the caller may see (county staff: their district); ID numbers masked."""
    return applications.list_for(current.db(), auth.current(), query)


@blp.route("/transfer-outs/<int:transfer_id>")
@blp.response(200, TransferOutSchema)
@auth.require(*READERS)
def get_transfer_out(transfer_id):
    """省际转出申请信息详情 (seed 000, 五.2) with the transferable and non-transferable courses."""
    return applications.details(current.db(), auth.current(), transfer_id)


@blp.route("/transfer-outs/<int:transfer_id>/withdraw", methods=["POST"])
@blp.arguments(TransferNoteSchema)
@blp.response(200, TransferOutSchema)
@auth.require("portal")
def withdraw(data, transfer_id):
    """The candidate withdraws the application (only before on-site confirmation)."""
    return applications.withdraw(current.db(), auth.current(), transfer_id, data["reason"])


@blp.route("/transfer-outs/<int:transfer_id>/confirmation", methods=["POST"])
@blp.arguments(TransferNoteSchema)
@blp.response(200, TransferOutSchema)
@auth.require(*CONFIRMERS)
def confirm(data, transfer_id):
    """现场确认: the office has seen the candidate and their documents."""
    return applications.confirm_on_site(current.db(), auth.current(), transfer_id, data["reason"])


@blp.route("/transfer-outs/<int:transfer_id>/decision", methods=["POST"])
@blp.arguments(DecideSchema)
@blp.response(200, TransferOutSchema)
@auth.require(*OFFICES)
def decide(data, transfer_id):
    """招办审核: approve (conditions checked again) or reject with the reason the candidate reads."""
    return applications.decide(current.db(), _bundle(), auth.current(), transfer_id, data["decision"], data["reason"])


@blp.route("/transfer-outs/<int:transfer_id>/history")
@blp.response(200, TransferEventSchema(many=True))
@auth.require(*READERS)
def history(transfer_id):
    """Every transition: from, to, action, actor, role, time and reason."""
    return applications.history_for(current.db(), auth.current(), transfer_id)
