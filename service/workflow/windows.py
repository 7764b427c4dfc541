"""Business windows (快捷入口): open and close times per exam sitting, from windows.yaml."""
from __future__ import annotations

import datetime as dt
import functools

from ..errors import Conflict, RulesetError
from ..rules.problems import Problem
from . import clock, reference

BUSINESSES = ("理论课报名", "转考申请", "免考申请", "实践性环节报名", "毕业申请", "省际转出")
GRADUATION = "毕业申请"
TRANSFER_OUT = "省际转出"


def _time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=clock.BEIJING) if value.tzinfo is None else value
    if isinstance(value, str):
        try:
            return clock.parse(value)
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=8)
def _windows(root: str) -> tuple[dict, ...]:
    rel, data = reference.load("windows", root)
    problems: list = []
    out = []
    if reference.check_keys(rel, data, {"source", "windows", "note"}, {"source", "windows"}, "", problems):
        for i, w in enumerate(data["windows"] or []):
            field = f"windows[{i}]"
            keys = {"business", "round", "opens", "closes"}
            if not reference.check_keys(rel, w, keys, keys, field, problems):
                continue
            opens, closes = _time(w.get("opens")), _time(w.get("closes"))
            if w.get("business") not in BUSINESSES:
                problems.append(Problem(rel, reference.line_of(w, "business"), f"{field}.business",
                                        f"unknown business {w.get('business')!r}", f"one of {', '.join(BUSINESSES)}"))
            if opens is None or closes is None or closes <= opens:
                problems.append(Problem(rel, reference.line_of(w), field, "opens and closes are times, closes after opens"))
                continue
            out.append({"business": w["business"], "round": str(w["round"]), "opens": opens, "closes": closes})
    if problems:
        raise RulesetError(problems)
    return tuple(sorted(out, key=lambda w: (w["business"], w["opens"])))


def windows_of(business: str) -> list[dict]:
    return [w for w in _windows(reference.root_key()) if w["business"] == business]


def current(business: str, now: dt.datetime) -> dict | None:
    for w in windows_of(business):
        if w["opens"] <= now < w["closes"]:
            return w
    return None


def state(business: str, now: dt.datetime) -> dict:
    """What the personal centre shows: 已开放 with its dates, or 未开放 with the next dates if known."""
    w = current(business, now)
    if w is None:
        upcoming = [x for x in windows_of(business) if x["opens"] > now]
        w = upcoming[0] if upcoming else None
        label = "未开放"
    else:
        label = "已开放"
    return {"business": business, "label": label, "open": label == "已开放",
            "round": w["round"] if w else None,
            "opens": w["opens"].isoformat() if w else None, "closes": w["closes"].isoformat() if w else None}


def require_open(business: str, now: dt.datetime) -> dict:
    """The open window of ``business``; outside it a 409 says so, with the dates."""
    w = current(business, now)
    if w is not None:
        return w
    s = state(business, now)
    when = f"; next window {s['opens']} – {s['closes']}" if s["opens"] else ""
    raise Conflict(f"{business}未开放 (the {business} window is closed{when})", business=business,
                   window=s)


def round_key(window: dict) -> str:
    """The sitting a window belongs to, e.g. 2026H2: one application per business and round."""
    return window["round"]
