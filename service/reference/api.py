"""HTTP for the reference lists: the districts and each business's window."""
from __future__ import annotations

from service.reference import districts, windows
from service.reference.schemas import CitySchema, WindowsSchema
from service.web import auth, current
from service.web.section import Section

# the candidates' API has always listed the districts and windows a candidate's business depends on
blp = Section("reference", __name__, url_prefix="/v1", part_of="candidates")


@blp.route("/districts")
@blp.response(200, CitySchema(many=True))
@auth.require(*auth.ROLES)
def list_districts():
    """山西省各区县: the official 报名区县 / 毕业申请区县 list, by city."""
    return districts.listing()


@blp.route("/windows")
@blp.response(200, WindowsSchema)
@auth.require(*auth.ROLES)
def list_windows():
    """Each business's window now: 已开放 with its dates, or 未开放 with the next dates."""
    now = current.now()
    return {"now": now.isoformat(timespec="seconds"), "businesses": windows.states(now)}
