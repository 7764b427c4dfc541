"""A choice's checklist as seed 002's 所选专业(不)符合毕业合格条件 screen shows it: ✓ / ✗ / 待核验 per requirement.

The rows have the shape agreed for ``service.rules.checklist.rows`` (the rules core's checklist,
which explain and the application check API show too); until that module is merged here, they
are read from the decision's ``requirements`` with the same columns.
"""
from __future__ import annotations

SYMBOLS = {"met": "✓", "unmet": "✗", "pending": "待核验"}
VIA = {"direct": "passed"}


def _code_and_name(req: dict) -> tuple[str | None, str | None]:
    kind, _, ident = req["id"].partition(":")
    label = req.get("label") or ""
    if kind in ("course", "thesis") and ident:
        name = label[len(ident):].strip() if label.startswith(ident) else label or None
        return ident, name or None
    return None, label or None


def _reason(req: dict) -> str | None:
    if req["status"] == "unmet":
        missing = "、".join(req.get("missing") or [])
        return (f"未通过或未取得：{missing} / not held: {missing}" if missing
                else "未满足 / not met")
    if req["status"] == "pending":
        return "旧计划课程待招办核验 / an old-plan card awaits the county office's verification"
    return None


def rows(decision: dict) -> list[dict]:
    """One row per requirement of the decision, unmet first, then pending, then met (each in plan order)."""
    out = []
    for req in decision.get("requirements") or []:
        code, name = _code_and_name(req)
        held = [{"code": c["code"], "name": None, "credits": c.get("credits"),
                 "via": VIA.get(c.get("via"), c.get("via")), "verified": c.get("verified", True),
                 "for": c.get("for")}
                for c in req.get("counted") or []]
        measure = req.get("measure") or {}
        out.append({"kind": req["kind"], "requirement": req["id"], "code": code, "name": name,
                    "credits": measure.get("required") if req["kind"] == "credits" else None,
                    "mark": req["status"], "symbol": SYMBOLS.get(req["status"], req["status"]),
                    "held_by": held,
                    "counted_credits": (measure.get("all") if req["kind"] == "credits"
                                        else sum(c.get("credits") or 0 for c in req.get("counted") or [])),
                    "reason": _reason(req)})
    order = {"unmet": 0, "pending": 1, "met": 2}
    return sorted(out, key=lambda r: order.get(r["mark"], 3))


def via_label(via: str | None) -> str:
    """What a held course stands there by, as the staff read it (顶替, substitution, exception)."""
    if not via or via == "passed":
        return "本人通过"
    kind, _, ident = via.partition(":")
    return {"equivalence": "新旧课程顶替", "substitution": "英语(二)替代", "exception": "个案特批"}.get(kind, kind) + \
        (f"（{ident}）" if ident else "")
