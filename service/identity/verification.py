"""Registration and identity verification (考生注册, 身份认证; seed 002 step 三).

A new candidate (新考生) uploads three photos (三照): 证件照 ``id_photo``, the ID
card's portrait side ``id_card`` and a half-length photo holding the ID card
``holding_id``; an enrolled candidate (在籍考生) uploads two (两照): ``id_card``
and ``holding_id``.  An enrolled candidate who also sends ``id_photo`` is refused
(422) rather than silently ignored: the portal then knows it sent the wrong form.

Every photo is checked for real (service.uploads.photo) before anything is
stored; the online provider then decides: passed → verified, failed → manual
review by the county office (报名点) of the candidate's district, who approves or
rejects with a reason.  Every status change follows the state table
(rulesets/workflow/identity_states.yaml) and is recorded with actor, time and reason.
"""
from __future__ import annotations

from service import clock, statemachine
from service.candidates import events as candidate_events
from service.candidates import records as candidates
from service.errors import N_, InvalidInput, Msg, NotFound, ServiceError
from service.identity import states as identity_states
from service.store import views
from service.store.db import write_transaction
from service.uploads.photo import check_identity_photo

KINDS = {"id_photo": "免冠彩色证件照（蓝底、白底、白灰底）", "id_card": "身份证照片（人像面）",
         "holding_id": "手持身份证照（半身）"}


def required_kinds(person: dict) -> tuple[str, ...]:
    """两照 for 在籍考生, 三照 for 新考生."""
    return ("id_card", "holding_id") if person["enrolled"] else ("id_photo", "id_card", "holding_id")


def check_files(person: dict, files: dict[str, bytes], extra_fields: list[str]) -> dict:
    """Every problem with the uploaded files at once; returns {kind: ImageInfo} when all are good."""
    needed = required_kinds(person)
    problems: dict[str, list[str]] = {}
    errors: list[ServiceError] = []
    for name in extra_fields:
        problems[name] = [Msg("unknown field: send only the photo files %(allowed)s", allowed=", ".join(needed))]
    for kind in files:
        if kind not in needed:
            if kind == "id_photo":
                problems[kind] = ["在籍考生上传“两照”（身份证人像面、手持身份证照），不需要证件照 / an enrolled candidate "
                                  "uploads two photos (id_card, holding_id), not id_photo"]
            else:
                problems[kind] = [Msg("unknown file field; expected %(allowed)s", allowed=", ".join(needed))]
    for kind in needed:
        if kind not in files:
            problems[kind] = [f"required: {KINDS[kind]} (multipart/form-data file field '{kind}')"]
    infos = {}
    for kind in needed:
        if kind in files:
            try:
                infos[kind] = check_identity_photo(files[kind], field=kind)
            except ServiceError as exc:
                errors.append(exc)
                for f, msgs in exc.fields.items():
                    problems.setdefault(f, []).extend(msgs)
    if problems:
        # one kind of failure keeps its own status (413 too large, 415 not an image); a mix is 422
        kinds = {type(e) for e in errors}
        if errors and len(kinds) == 1 and set(problems) == {f for e in errors for f in e.fields}:
            cls = kinds.pop()
            raise cls("the photos cannot be accepted; see fields", fields=problems)
        raise InvalidInput("the photos cannot be accepted; see fields", fields=problems)
    return infos


def upload_photos(db, blobs, provider, principal, exam_number: str, files: dict[str, bytes],
                  extra_fields: list[str] | None = None) -> dict:
    """Store the photos and run the online check; the status moves as the table says."""
    person = candidates.candidate_for(db, principal, exam_number)
    identity_states.require(person["identity_status"], "upload_photos", principal.role)
    infos = check_files(person, files, extra_fields or [])
    outcome = provider.verify(person, {kind: info.sha256 for kind, info in infos.items()})
    for kind in infos:
        blobs.put(files[kind])  # content-addressed: a refused request leaves at most an unreferenced file
    now = clock.now().isoformat(timespec="seconds")
    with write_transaction(db):
        status = db.execute("SELECT identity_status FROM candidates WHERE exam_number = ?", [exam_number]).fetchone()[0]
        step = identity_states.step(status, "upload_photos", principal.role, "passed" if outcome.passed else "failed")
        db.execute("DELETE FROM identity_photos WHERE exam_number = ?", [exam_number])
        for kind, info in infos.items():
            db.execute("INSERT INTO identity_photos (exam_number, kind, sha256, format, width, height, bytes, "
                       "uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [exam_number, kind, info.sha256, info.format, info.width, info.height, len(files[kind]), now])
        db.execute("UPDATE candidates SET identity_status = ?, identity_changed_at = ?, photos_uploaded_at = ? "
                   "WHERE exam_number = ? AND identity_status = ?", [step.target, now, now, exam_number, status])
        reason = f"{outcome.reason} [{provider.name} {outcome.reference}]"
        if not outcome.passed or step.target != "online_passed":
            reason += "；请到报名点人工审核 / manual review at the registration point"
        candidate_events.record(db, exam_number, "identity", "upload_photos", principal, from_status=status,
                                to_status=step.target, reason=reason)
    return view(db, principal, exam_number)


def review(db, principal, exam_number: str, decision: str, reason: str | None) -> dict:
    """人工审核 by the county office of the candidate's district (or the province): approve or reject."""
    action = {"approve": "manual_approve", "reject": "manual_reject"}.get(decision)
    if action is None:
        raise InvalidInput("decision is approve or reject", fields={"decision": [N_("one of approve, reject")]})
    reason = statemachine.clean_reason(reason)
    person = candidates.candidate_for(db, principal, exam_number)
    identity_states.require(person["identity_status"], action, principal.role)
    with write_transaction(db):
        status = db.execute("SELECT identity_status FROM candidates WHERE exam_number = ?", [exam_number]).fetchone()[0]
        step = identity_states.step(status, action, principal.role)
        if step.reason_required and not reason:
            raise InvalidInput(Msg("%(action)s needs a reason", action=decision),
                               fields={"reason": [N_("required: say why (shown to the candidate)")]})
        now = clock.now().isoformat(timespec="seconds")
        db.execute("UPDATE candidates SET identity_status = ?, identity_changed_at = ? WHERE exam_number = ? "
                   "AND identity_status = ?", [step.target, now, exam_number, status])
        candidate_events.record(db, exam_number, "identity", action, principal, from_status=status,
                                to_status=step.target, reason=reason)
    return view(db, principal, exam_number)


def photos_of(db, exam_number: str) -> list[dict]:
    cur = db.conn.execute("SELECT kind, sha256, format, width, height, bytes, uploaded_at FROM identity_photos "
                          "WHERE exam_number = ? ORDER BY kind", [exam_number])
    cols = [c[0] for c in cur.description]
    return [{**dict(zip(cols, r, strict=True)), "label": KINDS[r[0]]} for r in cur.fetchall()]


def summary(db, person: dict, role: str | None = None) -> dict:
    tbl = identity_states.table()
    return {"status": person["identity_status"], "label": person["identity_label"],
            "verified": person["identity_verified"], "enrolled": person["enrolled"],
            "required_photos": [{"kind": k, "label": KINDS[k]} for k in required_kinds(person)],
            "photos": photos_of(db, person["exam_number"]), "changed_at": person["identity_changed_at"],
            "allowed": tbl.allowed(person["identity_status"], role) if role else []}


def view(db, principal, exam_number: str) -> dict:
    person = candidates.candidate_for(db, principal, exam_number)
    return {"exam_number": exam_number, **summary(db, person, principal.role),
            "history": candidate_events.history(db, exam_number, "identity")}


def photo(db, blobs, principal, exam_number: str, kind: str) -> tuple[bytes, str]:
    """One stored photo's bytes and format, for the candidate and the staff who review it."""
    candidates.candidate_for(db, principal, exam_number)
    row = db.execute("SELECT sha256, format FROM identity_photos WHERE exam_number = ? AND kind = ?",
                     [exam_number, kind]).fetchone()
    if row is None:
        raise NotFound(Msg("no %(kind)s photo for %(exam_number)s", kind=kind, exam_number=exam_number))
    data = blobs.get(row[0])
    views.record(db, principal, "identity_photo", exam_number, kind)  # before it leaves: no view unrecorded
    return data, row[1]
