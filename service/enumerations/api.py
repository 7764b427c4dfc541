"""HTTP for the value lists: ``GET /v1/enumerations`` and ``GET /v1/enumerations/{name}``."""
from __future__ import annotations

from flask_smorest import Blueprint

from service.enumerations import records
from service.enumerations.schemas import EnumerationIndexSchema, EnumerationSchema
from service.web import auth

blp = Blueprint("enumerations", __name__, url_prefix="/v1",
                description="The value lists a portal offers (民族, 政治面貌, 转入省, 转出原因, 区县, 业务, states); "
                            "request fields that take one say which (x-enumeration)")


@blp.route("/enumerations")
@blp.response(200, EnumerationIndexSchema)
@auth.require(*auth.ROLES)
def list_enumerations():
    """Every value list, with its size and where to read it."""
    items = records.listing()
    return {"total": len(items), "items": items}


@blp.route("/enumerations/<string:name>")
@blp.response(200, EnumerationSchema)
@auth.require(*auth.ROLES)
def get_enumeration(name):
    """One value list, complete (no paging: the longest, 区县, has about 120 values)."""
    return records.get(name)
