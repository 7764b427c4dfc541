"""What the console reads that no API call returns whole: the worklist's counts per stage, a page of
work with a search by name, and the province's figures (per stage per district, eligibility per
major, waiting work by age).

Read-only, and every query keeps to the rows the principal may see (``auth.visible_rows``,
the API's own rule).  Library code: the database, the principal and the time come in as arguments.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from service.applications import states as application_states
from service.candidates import records as candidates
from service.store.paging import select_page
from service.transfer import states as transfer_states
from service.web import auth

PER_PAGE = 20
_EXAM_NUMBER = re.compile(r"^[0-9]{12}\Z")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    table: str  # applications | transfer_outs
    where: str  # SQL over that table's own columns (no client text)


def stages() -> list[Stage]:
    """The office's stages of work, as seed 002/000 name them; states from the state tables."""
    payable = application_states.table().payable_states()
    return [
        Stage("awaiting_county", "待审核", "applications", "state = 'awaiting_county'"),
        Stage("photo_review", "照片待人工审核", "applications", "state = 'photo_review'"),
        Stage("cards", "旧计划课程待核验", "applications",
              "state = 'awaiting_county' AND id IN (SELECT application_id FROM application_old_plan "
              "WHERE status = 'pending')"),
        Stage("payment", "待缴费", "applications", f"state IN ({', '.join(repr(s) for s in payable)})"),
        Stage("form", "待交登记表", "applications", "state = 'paid'"),
        Stage("transfer_confirm", "省际转出待现场确认", "transfer_outs", "state = 'submitted'"),
        Stage("transfer_decide", "省际转出待审核", "transfer_outs", "state = 'confirmed_on_site'"),
        Stage("applications", "全部毕业申请", "applications", "1"),
        Stage("transfers", "全部省际转出", "transfer_outs", "1"),
    ]


def stage(key: str | None) -> Stage:
    found = {s.key: s for s in stages()}
    return found.get(key or "", found["awaiting_county"])


def _visible(principal, district: str | None) -> tuple[list[str], list]:
    where, params = auth.visible_rows(principal)
    if district:
        where.append("district = ?")
        params.append(district)
    return where, params


def stage_counts(db, principal, district: str | None = None) -> list[dict]:
    out = []
    for s in stages():
        where, params = _visible(principal, district)
        row = db.execute(f"SELECT count(*) FROM {s.table} WHERE {' AND '.join([*where, s.where])}", params).fetchone()
        out.append({"key": s.key, "label": s.label, "count": row[0], "table": s.table})
    return out


def search_condition(q: str | None) -> tuple[str | None, list]:
    """准考证号 (12 digits, exact) or part of the name."""
    q = (q or "").strip()
    if not q:
        return None, []
    if _EXAM_NUMBER.match(q):
        return "exam_number = ?", [q]
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "exam_number IN (SELECT exam_number FROM candidates WHERE name LIKE ? ESCAPE '\\')", [f"%{escaped}%"]


def worklist(db, principal, stage_key: str | None, *, district: str | None = None, q: str | None = None,
             page: int = 1, per_page: int = PER_PAGE) -> dict:
    """A page of the stage's work, oldest waiting first, with the candidate's name and the state label."""
    s = stage(stage_key)
    where, params = _visible(principal, district)
    where.append(s.where)
    cond, more = search_condition(q)
    if cond:
        where.append(cond)
        params.extend(more)
    if s.table == "applications":
        columns = "id, exam_number, district, state, attempt, submitted_at, updated_at"
        tbl = application_states.table()
    else:
        columns = "id, exam_number, district, state, target_province, reason, created_at, updated_at"
        tbl = transfer_states.table()
    page = max(page, 1)
    total, rows = select_page(db, s.table, columns, where, params, order="updated_at, id", limit=per_page,
                              offset=(page - 1) * per_page)
    pages = max(1, -(-total // per_page))
    if page > pages:  # past the end (work done meanwhile, or a typed URL): the last page
        page = pages
        total, rows = select_page(db, s.table, columns, where, params, order="updated_at, id", limit=per_page,
                                  offset=(page - 1) * per_page)
    for r in rows:
        r["name"] = candidates.get_candidate(db, r["exam_number"])["name"]
        r["state_label"] = tbl.label(r["state"])
        if s.table == "applications":
            r["choices"] = [f"{u}/{m}" for u, m in db.execute(
                "SELECT university, major FROM application_choices WHERE application_id = ? ORDER BY position",
                [r["id"]]).fetchall()]
    return {"stage": s, "total": total, "rows": rows, "page": page, "pages": pages}


# --- the province's figures ------------------------------------------------------------------

def per_stage_per_district(db, principal) -> dict:
    """{"states": [(name, label)], "rows": [{"district", "counts": {state: n}, "total"}]} in table order."""
    tbl = application_states.table()
    where, params = auth.visible_rows(principal)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    counts: dict[str, dict[str, int]] = {}
    for district, state, n in db.execute(f"SELECT district, state, count(*) FROM applications {clause} "
                                         "GROUP BY district, state ORDER BY district", params):
        counts.setdefault(district, {})[state] = n
    names = list(tbl.states)
    return {"states": [(n, tbl.label(n)) for n in names],
            "rows": [{"district": d, "counts": {n: c.get(n, 0) for n in names}, "total": sum(c.values())}
                     for d, c in counts.items()]}


def eligibility_per_major(db, principal, bundle) -> list[dict]:
    """Per chosen (university, major): choices decided, eligible, pending verification, not eligible, the rate."""
    where, params = auth.visible_rows(principal)
    inner = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(
        "SELECT c.university, c.major, "
        "sum(c.decision_status = 'eligible'), sum(c.decision_status = 'pending_verification'), "
        "sum(c.decision_status = 'not_eligible'), count(c.decision_status) "
        f"FROM application_choices c WHERE c.application_id IN (SELECT id FROM applications {inner}) "
        "GROUP BY c.university, c.major ORDER BY c.university, c.major", params).fetchall()
    out = []
    for uni, major, eligible, pending, not_eligible, decided in rows:
        m = bundle.major(uni, major)
        u = bundle.universities.get(uni)
        out.append({"university": uni, "university_name": u.name if u else uni, "major": major,
                    "major_name": m.name if m else major, "level": m.level if m else "",
                    "decided": decided, "eligible": eligible or 0, "pending": pending or 0,
                    "not_eligible": not_eligible or 0,
                    "rate": round(100 * (eligible or 0) / decided, 1) if decided else None})
    return out


AGES = ((1, "1天内"), (3, "1–3天"), (7, "3–7天"), (14, "7–14天"), (None, "14天以上"))


def _age_bucket(since: dt.datetime, now: dt.datetime) -> str:
    days = (now - since).total_seconds() / 86400
    for limit, label in AGES:
        if limit is None or days <= limit:
            return label
    return AGES[-1][1]


def waiting_by_age(db, principal, now: dt.datetime) -> dict:
    """Work waiting for an office, per stage, by how long it has been in its state (its last change)."""
    waiting = [s for s in stages() if s.key in ("awaiting_county", "photo_review", "form", "transfer_confirm",
                                                "transfer_decide")]
    labels = [label for _, label in AGES]
    rows = []
    for s in waiting:
        where, params = auth.visible_rows(principal)
        counts = dict.fromkeys(labels, 0)
        for (updated_at,) in db.execute(f"SELECT updated_at FROM {s.table} WHERE "
                                        f"{' AND '.join([*where, s.where])}", params):
            since = dt.datetime.fromisoformat(updated_at)
            if since.tzinfo is None:
                since = since.replace(tzinfo=now.tzinfo)
            counts[_age_bucket(since, now)] += 1
        rows.append({"stage": s.label, "counts": counts, "total": sum(counts.values())})
    return {"ages": labels, "rows": rows}
