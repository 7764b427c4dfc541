"""Who is calling: bearer credentials with a role, checked before every /v1 call.

Roles:
- ``portal``: the portal backend's service credential; acts for one candidate
  named in the ``X-Candidate`` header (their 准考证号);
- ``county``: county-office (招办) staff of one district;
- ``city``: city-office (市招办) staff of one 地级市: they see the districts of their city and
  confirm transfer-outs on site (seed 000, 五.2: 至所属地市进行现场确认); the credential's
  ``district`` names the city (太原市);
- ``province``: provincial staff, who see everything;
- ``auditor``: read-only, decisions and the log;
- ``curriculum``: curriculum staff, who reload and publish rulesets.

Tokens are stored hashed; a token never appears in logs. A token ends when revoked or at its
``expires_at`` (none: never, as the demo tokens); its last use is written at most hourly.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import sqlite3
from dataclasses import dataclass
from functools import wraps

from marshmallow import ValidationError

from service import clock
from service.errors import N_, Forbidden, InvalidInput, Msg, Unauthorized
from service.store.db import write_transaction
from service.store.decision_log import now_iso, utc_text
from service.web.schemas import EXAM_NUMBER

log = logging.getLogger(__name__)

ROLES = ("portal", "county", "city", "province", "auditor", "curriculum")
# last use is for operators ("is this token still used?"), not an audit trail: an hour's precision keeps
# the write off the request path (benchmarked) but for one request per token per hour
LAST_USE_EVERY = dt.timedelta(hours=1)
_last_use_noted: dict[str, dt.datetime] = {}  # per process: token hash -> when this process last wrote it


@dataclass(frozen=True)
class Principal:
    role: str
    actor: str
    district: str | None = None  # county: its 区县 (太原市小店区); city: its 地级市 (太原市)
    candidate: str | None = None  # 准考证号 the portal acts for

    @property
    def label(self) -> str:
        return f"{self.role}:{self.actor}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_credential(db, role: str, actor: str, district: str | None = None, token: str | None = None,
                   expires_at: dt.datetime | None = None) -> str:
    if role not in ROLES:
        raise InvalidInput("unknown role", fields={"role": [Msg("one of %(allowed)s", allowed=", ".join(ROLES))]})
    if role == "county" and not district:
        raise InvalidInput("county staff belong to a district", fields={"district": [N_("required for role county")]})
    if role == "city" and not (district and district.endswith("市")):
        raise InvalidInput("city staff belong to a city",
                           fields={"district": [N_("required for role city: the 地级市, e.g. 太原市")]})
    token = token or secrets.token_urlsafe(24)
    db["credentials"].insert({"token_hash": hash_token(token), "role": role, "district": district,
                              "actor": actor, "created_at": now_iso(), "revoked": 0,
                              "expires_at": utc_text(expires_at) if expires_at else None}, replace=True)
    return token


def principal_for(db, authorization: str | None, candidate_header: str | None) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("missing credentials: send Authorization: Bearer <token>")
    token = authorization[len("Bearer "):].strip()
    candidate = None
    principal = principal_for_hash(db, hash_token(token))
    if principal.role == "portal" and candidate_header:
        try:
            EXAM_NUMBER(candidate_header)
        except ValidationError:
            raise InvalidInput("bad X-Candidate header", fields={"X-Candidate": [N_("a 准考证号 is 12 digits")]}) from None
        candidate = candidate_header
    return Principal(principal.role, principal.actor, principal.district, candidate)


def principal_for_hash(db, token_hash: str) -> Principal:
    """The credential's holder by the token's hash, checked as ``principal_for`` checks a token: the console's
    session keeps the hash, never the token, and is refused the moment the credential is revoked or expires."""
    row = db.execute("SELECT role, actor, district, revoked, expires_at, last_used_at FROM credentials "
                     "WHERE token_hash = ?", [token_hash]).fetchone()
    if row is None or row[3]:
        raise Unauthorized("unknown or revoked credentials")
    role, actor, district, _, expires_at, last_used_at = row
    now = clock.now()
    if expires_at is not None and expires_at <= utc_text(now):
        raise Unauthorized("凭证已过期 / expired credentials: ask for a new token")
    _note_use(db, token_hash, last_used_at, now)
    return Principal(role, actor, district)


def _note_use(db, token_hash: str, last_used_at: str | None, now: dt.datetime) -> None:
    """Write the last use when the stored one is over an hour old (and this process has not tried within the hour)."""
    noted = _last_use_noted.get(token_hash)
    if noted is not None and noted <= now < noted + LAST_USE_EVERY:
        return
    _last_use_noted[token_hash] = now
    if last_used_at is not None and last_used_at > utc_text(now - LAST_USE_EVERY):
        return
    try:
        with write_transaction(db):
            db.execute("UPDATE credentials SET last_used_at = ? WHERE token_hash = ?", [utc_text(now), token_hash])
    except sqlite3.Error as exc:  # a full or read-only disk: the request is still served, its use goes unnoted
        log.warning("last use of a credential not recorded: %s", type(exc).__name__)


def current() -> Principal:
    from flask import g

    principal = g.get("principal")
    if principal is None:
        raise Unauthorized("missing credentials: send Authorization: Bearer <token>")
    return principal


def require(*roles):
    """Allow the view only for these roles."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            who = current()
            if who.role not in roles:
                raise Forbidden(Msg("role %(role)s may not do this", role=who.role))
            return view(*args, **kwargs)
        return inner
    return wrap


# roles whose work spans the province: they see every candidate's rows
EVERY_ROW = ("province", "auditor", "system")


def in_city(district, city: str | None) -> bool:
    """A district's full name begins with its city's (rulesets/workflow/districts.yaml: 太原市小店区)."""
    return bool(city) and isinstance(district, str) and district.startswith(city)


def may_see(principal: Principal, row) -> bool:
    """Portal: its candidate's rows; county: its district's; city: its districts'; province, auditor, system: all."""
    if principal.role == "portal":
        return principal.candidate is not None and principal.candidate == row["exam_number"]
    if principal.role == "county":
        return principal.district is not None and principal.district == row["district"]
    if principal.role == "city":
        return in_city(row["district"], principal.district)
    return principal.role in EVERY_ROW


def visible_rows(principal: Principal) -> tuple[list[str], list]:
    """The WHERE conditions (to be ANDed) and parameters that keep what ``may_see`` allows.

    For tables with ``exam_number`` and ``district`` columns; a portal acting for no
    candidate is refused (``candidate_of``) rather than shown nothing.
    """
    if principal.role == "portal":
        return ["exam_number = ?"], [candidate_of(principal)]
    if principal.role == "county":
        return ["district = ?"], [principal.district]
    if principal.role == "city" and principal.district:
        return ["substr(district, 1, ?) = ?"], [len(principal.district), principal.district]
    if principal.role in EVERY_ROW:
        return [], []
    return ["0"], []


def candidate_of(principal: Principal) -> str:
    """The candidate the portal acts for; required for candidate actions."""
    if principal.role != "portal" or not principal.candidate:
        raise InvalidInput("the portal acts for one candidate", fields={"X-Candidate": [N_("required: the candidate's 准考证号")]})
    return principal.candidate
