"""Business windows (快捷入口): when each business is open, from rulesets/workflow/windows.yaml.

``state`` is what the personal centre shows for a business; ``require_open`` is the
gate every time-bound action passes (409 outside the window, with the dates).
Callers pass the time — ``clock.now()`` — so a test or demo moves one clock.
"""
from __future__ import annotations

import datetime as dt
import re

from service import clock
from service.errors import Conflict, Msg
from service.reference import files as reference
from service.rules import bound
from service.yamlreader import Reader, line_of

FILE = "rulesets/workflow/windows.yaml"

BUSINESSES = ("理论课报名", "转考申请", "免考申请", "实践性环节报名", "毕业申请", "省际转出")
THEORY = "理论课报名"
TRANSFER = "转考申请"
EXEMPTION = "免考申请"
PRACTICAL = "实践性环节报名"
GRADUATION = "毕业申请"
TRANSFER_OUT = "省际转出"

OPEN, NOT_OPEN = "已开放", "未开放"
_ROUND = re.compile(r"^[0-9]{4}H[12]\Z")


def _time(value) -> dt.datetime | None:
    """A window bound: a quoted ISO date-time (or a YAML timestamp), Beijing time unless it says otherwise."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=clock.SHANGHAI) if value.tzinfo is None else value.astimezone(clock.SHANGHAI)
    if isinstance(value, str) and "T" in value:
        try:
            return clock.parse(value)
        except clock.ClockSettingError:
            return None
    return None


def windows_for(root: str) -> tuple[dict, ...]:
    return read(*reference.load("windows", root))


def read(rel: str, doc) -> tuple[dict, ...]:
    check = Reader(rel)
    out: list[dict] = []
    if check.mapping(doc, "", required={"source", "windows"}):
        check.source(doc)
        items = doc["windows"]
        if not isinstance(items, list):
            check.bad(doc, "windows", "windows", "a list of {business, round, opens, closes}")
            items = []
        for i, w in enumerate(items):
            field = f"windows[{i}]"
            if not check.mapping(w, field, required={"business", "round", "opens", "closes"}, optional={"note"}):
                continue
            if w["business"] not in BUSINESSES:
                check.bad(w, "business", f"{field}.business", f"unknown business {w['business']!r}",
                          f"one of {', '.join(BUSINESSES)}")
            if not _ROUND.match(str(w["round"])):
                check.bad(w, "round", f"{field}.round", "a round is a year and half, e.g. 2026H2")
            opens, closes = _time(w["opens"]), _time(w["closes"])
            for key, value in (("opens", opens), ("closes", closes)):
                if value is None:
                    check.bad(w, key, f"{field}.{key}", "an ISO date-time in quotes, e.g. \"2026-11-09T09:00\"")
            if opens and closes and closes <= opens:
                check.bad(w, "closes", f"{field}.closes", "closes must be after opens")
                continue
            if opens and closes:
                out.append({"business": w["business"], "round": str(w["round"]), "opens": opens, "closes": closes,
                            "_line": line_of(items, i)})
        _overlaps(check, out)
    check.done()
    return tuple(sorted(({k: v for k, v in w.items() if k != "_line"} for w in out),
                        key=lambda w: (BUSINESSES.index(w["business"]) if w["business"] in BUSINESSES else 99,
                                       w["opens"])))


def _overlaps(check: Reader, items: list[dict]) -> None:
    """Two windows of one business may neither overlap nor share a round."""
    by_business: dict[str, list[dict]] = {}
    for w in items:
        by_business.setdefault(w["business"], []).append(w)
    for business, ws in by_business.items():
        ws.sort(key=lambda w: w["opens"])
        for a, b in zip(ws, ws[1:], strict=False):
            if b["opens"] < a["closes"]:
                check.problems.append(reference.Problem(
                    check.file, b["_line"], "windows", f"{business} {b['round']} overlaps {a['round']}"))
        rounds = [w["round"] for w in ws]
        for r in sorted({r for r in rounds if rounds.count(r) > 1}):
            check.problems.append(reference.Problem(check.file, None, "windows",
                                                    f"{business} has two windows in round {r}"))


def windows_of(business: str) -> list[dict]:
    _known(business)
    return [w for w in bound.table(FILE, read) if w["business"] == business]


def current(business: str, now: dt.datetime) -> dict | None:
    for w in windows_of(business):
        if w["opens"] <= now < w["closes"]:
            return w
    return None


def state(business: str, now: dt.datetime) -> dict:
    """What the 快捷入口 shows: 已开放 with its dates, or 未开放 with the next dates (none if unscheduled)."""
    w = current(business, now)
    label = OPEN if w else NOT_OPEN
    if w is None:
        upcoming = [x for x in windows_of(business) if x["opens"] > now]
        w = upcoming[0] if upcoming else None
    return {"business": business, "label": label, "open": label == OPEN,
            "round": w["round"] if w else None,
            "opens": _iso(w["opens"]) if w else None, "closes": _iso(w["closes"]) if w else None}


def states(now: dt.datetime) -> list[dict]:
    return [state(b, now) for b in BUSINESSES]


def require_open(business: str, now: dt.datetime) -> dict:
    """The open window of ``business``; outside it a 409 that says when it opens (if known)."""
    w = current(business, now)
    if w is not None:
        return w
    s = state(business, now)
    if s["opens"]:
        message = Msg("%(business)s is not open now; it opens %(opens)s and closes %(closes)s (Beijing time)",
                      business=business, opens=_show(s["opens"]), closes=_show(s["closes"]))
    else:
        message = Msg("%(business)s is not open now and no window is scheduled", business=business)
    raise Conflict(message, business=business, state=s["label"], window=s)


def round_key(window: dict) -> str:
    """The round a window belongs to, e.g. 2026H2: one application per business and round."""
    return window["round"]


def _known(business: str) -> None:
    if business not in BUSINESSES:
        raise ValueError(f"unknown business {business!r}; one of {', '.join(BUSINESSES)}")


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def _show(iso: str) -> str:
    return iso[:16].replace("T", " ")
