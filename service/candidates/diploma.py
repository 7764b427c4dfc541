"""Prior-diploma verification (前置学历, 学信网学历验证; seed 002 step 五) for 本科 applicants.

The candidate authorises the authority in the 学信网 app; the portal posts that
authorisation here and the provider returns the verified diploma record (or says
it has none).  The record is stored as the provider gives it: whether its name,
ID number and gender match the candidate is shown in the personal centre and
decided by the eligibility rules, never corrected here.

``ChsiSandbox`` answers from a registry file (fixtures/chsi_sandbox.json), keyed
by ID number, so the flow runs offline and deterministically; an ID number not in
the registry has no diploma on record.
"""
from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from pathlib import Path

from marshmallow import fields, validate

from service import clock, idnumber
from service.candidates import events as candidate_events
from service.candidates import records as candidates
from service.errors import N_, InvalidInput, Msg
from service.store.db import write_transaction
from service.web.schemas import StrictSchema

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = ROOT / "fixtures" / "chsi_sandbox.json"
RECORD_FIELDS = ("name", "id_number", "gender", "school", "major", "level", "study_form", "category",
                 "enrolled_year", "graduation_year", "conclusion", "certificate_no")
MATCHED = ("name", "id_number", "gender")


class AuthorisationSchema(StrictSchema):
    authorisation_code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{6,128}$", error=N_("the code the 学信网 app gives: 6-128 letters, digits, - or _")),
        metadata={"description": "授权码 from the 学信网 app after scanning the authority's QR code"})
    consent = fields.Boolean(required=True, validate=validate.Equal(True, error=N_(
        "the candidate must agree to send their prior-diploma data (授权向山西省招生考试管理中心发送前置学历信息)")))


class DiplomaProvider(ABC):
    name: str

    @abstractmethod
    def verify(self, id_number: str, authorisation: str) -> dict | None:
        """The diploma record of the person behind ``id_number`` (RECORD_FIELDS), or None when there is none."""


class ChsiSandbox(DiplomaProvider):
    name = "chsi-sandbox"

    def __init__(self, registry: Path | str = DEFAULT_REGISTRY):
        self.registry = Path(registry)

    def verify(self, id_number: str, authorisation: str) -> dict | None:
        records = json.loads(self.registry.read_text(encoding="utf-8"))["records"]
        for record in records:
            if record["id_number"] == id_number:
                return {k: record.get(k) for k in RECORD_FIELDS}
        return None


def provider_for(app_config) -> DiplomaProvider:
    """Config DIPLOMA_PROVIDER: a DiplomaProvider, or "sandbox" (default; CHSI_SANDBOX_REGISTRY names the file)."""
    setting = (app_config or {}).get("DIPLOMA_PROVIDER") or "sandbox"
    if isinstance(setting, DiplomaProvider):
        return setting
    if setting == "sandbox":
        return ChsiSandbox((app_config or {}).get("CHSI_SANDBOX_REGISTRY") or DEFAULT_REGISTRY)
    raise InvalidInput(Msg("unknown DIPLOMA_PROVIDER %(setting)r", setting=setting),
                       fields={"DIPLOMA_PROVIDER": [N_("only 'sandbox'")]})


def authorise(db, provider: DiplomaProvider, principal, exam_number: str, code: str) -> dict:
    """学信网学历验证授权: ask the provider and keep what it says (replacing an earlier answer)."""
    person = candidates.candidate_for(db, principal, exam_number)
    candidates.require_identity_verified(db, exam_number)
    record = provider.verify(person["id_number"], code)
    reference = "CHSI-" + hashlib.sha256(f"{provider.name}|{exam_number}|{code}".encode()).hexdigest()[:16]
    with write_transaction(db):
        previous = _status_of_last(db, exam_number)
        store(db, exam_number, record, provider.name, reference=reference)
        now_status = "found" if record else "not_found"
        text = (f"学信网: {record['school']} {record['major']} {record['level']} {record['graduation_year']}"
                if record else "学信网无此身份证号的学历记录 / no diploma on record for this ID number")
        candidate_events.record(db, exam_number, "prior_diploma", "authorise", principal, from_status=previous,
                                to_status=now_status, reason=f"{text} [{provider.name} {reference}]")
    return view(db, principal, exam_number)


def _status_of_last(db, exam_number: str) -> str:
    row = db.execute("SELECT to_status FROM candidate_events WHERE exam_number = ? AND subject = 'prior_diploma' "
                     "ORDER BY id DESC LIMIT 1", [exam_number]).fetchone()
    return row[0] if row else "none"


def store(db, exam_number: str, record: dict | None, provider: str, *, reference: str = "") -> None:
    """Keep the provider's answer for the candidate (the caller holds the write transaction)."""
    values = {k: (record or {}).get(k) for k in RECORD_FIELDS}
    db.execute(f"""INSERT INTO prior_diplomas (exam_number, provider, found, reference, verified_at,
                   {', '.join(RECORD_FIELDS)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(RECORD_FIELDS))})
                   ON CONFLICT(exam_number) DO UPDATE SET provider = excluded.provider, found = excluded.found,
                   reference = excluded.reference, verified_at = excluded.verified_at,
                   {', '.join(f'{k} = excluded.{k}' for k in RECORD_FIELDS)}""",
               [exam_number, provider, int(record is not None), reference or provider,
                clock.now().isoformat(timespec="seconds"), *values.values()])


def record_of(db, exam_number: str) -> dict | None:
    cur = db.conn.execute("SELECT * FROM prior_diplomas WHERE exam_number = ?", [exam_number])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row, strict=True))
    out["found"] = bool(out["found"])
    return out


def prior_diploma_for(db, exam_number: str) -> dict | None:
    """The verified record in the evaluation request's prior_diploma shape (PriorDiplomaSchema), or None."""
    rec = record_of(db, exam_number)
    if rec is None or not rec["found"]:
        return None
    return {"name": rec["name"], "id_number": rec["id_number"], "gender": rec["gender"], "verified": True,
            "certificate_no": rec["certificate_no"] or "", "level": rec["level"] or ""}


def summary(db, person: dict) -> dict:
    """查看已验证学历信息: the stored answer with the ID number masked, and whether it matches the candidate."""
    rec = record_of(db, person["exam_number"])
    if rec is None:
        return {"status": "none", "label": "未授权验证", "record": None, "matches": None, "consistent": None}
    if not rec["found"]:
        return {"status": "not_found", "label": "学信网无学历记录，请联系县（市、区）招办线下办理", "record": None,
                "matches": None, "consistent": None, "verified_at": rec["verified_at"], "provider": rec["provider"]}
    matches = {k: _same(k, rec[k], person[k]) for k in MATCHED}
    consistent = all(matches.values())
    shown = {k: rec[k] for k in RECORD_FIELDS}
    shown["id_number"] = idnumber.mask(rec["id_number"])
    return {"status": "verified", "record": shown, "matches": matches, "consistent": consistent,
            "label": "已验证" if consistent else "已验证，但与报考信息不一致（" + "、".join(
                {"name": "姓名", "id_number": "身份证号", "gender": "性别"}[k] for k, ok in matches.items() if not ok)
            + "），请联系县（市、区）招办线下办理",
            "verified_at": rec["verified_at"], "provider": rec["provider"]}


def _same(key: str, a, b) -> bool:
    if key == "name":
        return re.sub(r"\s", "", a or "") == re.sub(r"\s", "", b or "")
    return a == b


def view(db, principal, exam_number: str) -> dict:
    person = candidates.candidate_for(db, principal, exam_number)
    return {"exam_number": exam_number, **summary(db, person),
            "history": candidate_events.history(db, exam_number, "prior_diploma")}
