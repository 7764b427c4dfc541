"""Every value list a client must offer, read from the one place each is kept.

Nothing is copied here: 民族 and 政治面貌 are ``service.forms.lists`` (the national standards), the
districts, business windows and transfer rules are the reference tables of the rules bundle in force,
the states are the workflow's state tables.  A list is ``{name, description, total, items}``; an item's
``value`` is what a request sends, the other keys help to show it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.applications import states as application_states
from service.errors import Msg, NotFound, echoed
from service.forms import lists
from service.reference import districts, transfer_rules, windows
from service.transfer import states as transfer_states


@dataclass(frozen=True)
class Enumeration:
    name: str
    description: str
    items: Callable[[], list[dict]]


def _coded(codes: dict[str, str]) -> list[dict]:
    return [{"value": name, "code": code} for code, name in codes.items()]


def _districts() -> list[dict]:
    return [{"value": d.name, "code": d.code, "city": d.city, "short": d.short} for d in districts.table().values()]


def _cities() -> list[dict]:
    return [{"value": city} for city in dict.fromkeys(d.city for d in districts.table().values())]


def _provinces() -> list[dict]:
    return [{"value": p.name, "code": p.code} for p in transfer_rules.current().provinces]


def _reasons() -> list[dict]:
    return [{"value": r.name, "note_required": r.note_required} for r in transfer_rules.current().reasons]


def _states(table) -> Callable[[], list[dict]]:
    def items() -> list[dict]:
        tbl = table()
        return [{"value": name, "label": tbl.label(name)} for name in tbl.states]
    return items


ENUMERATIONS: dict[str, Enumeration] = {e.name: e for e in (
    Enumeration("ethnicities", "民族: the 56 of GB/T 3304-1991, in code order (登记表 ethnicity)",
                lambda: _coded(lists.ETHNICITY_CODES)),
    Enumeration("political_statuses", "政治面貌: GB/T 4762-1984, full names (登记表 political_status)",
                lambda: _coded(lists.POLITICAL_STATUS_CODES)),
    Enumeration("districts", "区县 of Shanxi with their city and GB/T 2260 code (applications' and credentials' "
                "district, list filters)", _districts),
    Enumeration("cities", "地级市 of Shanxi (a city office's area)", _cities),
    Enumeration("transfer_provinces", "转入省: the provinces a candidate may transfer to (transfer-out target_province)",
                _provinces),
    Enumeration("transfer_reasons", "转出原因 (transfer-out reason); note_required: reason_note must say more",
                _reasons),
    Enumeration("businesses", "业务: the businesses with a window (GET /v1/windows)",
                lambda: [{"value": b} for b in windows.BUSINESSES]),
    Enumeration("application_states", "毕业申请 states with their labels (GET /v1/applications?state=)",
                _states(application_states.table)),
    Enumeration("transfer_states", "省际转出 states with their labels (GET /v1/transfer-outs?state=)",
                _states(transfer_states.table)),
)}


def listing() -> list[dict]:
    """Each list's name, description and size (``GET /v1/enumerations``)."""
    return [{"name": e.name, "description": e.description, "total": len(e.items()),
             "href": f"/v1/enumerations/{e.name}"} for e in ENUMERATIONS.values()]


def get(name: str) -> dict:
    """One list (``GET /v1/enumerations/{name}``); NotFound naming the lists there are."""
    e = ENUMERATIONS.get(name)
    if e is None:
        raise NotFound(Msg("no list %(name)s; one of %(allowed)s", name=echoed(name, "[a-z_]{1,40}", Msg("of that name")),
                           allowed=", ".join(ENUMERATIONS)))
    items = e.items()
    return {"name": e.name, "description": e.description, "total": len(items), "items": items}
