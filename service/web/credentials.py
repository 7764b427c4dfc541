"""Operators' view of credentials: list (never a token), revoke, rotate.

A credential is named by the start of its token's hash (``id``): enough to tell
credentials apart, and nothing a caller could present as a token.
"""
from __future__ import annotations

import datetime as dt

from service.errors import N_, InvalidInput, Msg, NotFound
from service.store.db import write_transaction
from service.web import auth

ID_LENGTH = 12


def listing(db) -> list[dict]:
    rows = db.query("SELECT token_hash, actor, role, district, created_at, expires_at, revoked, last_used_at "
                    "FROM credentials ORDER BY created_at, token_hash")
    return [{"id": r["token_hash"][:ID_LENGTH], "actor": r["actor"], "role": r["role"], "district": r["district"],
             "created": r["created_at"], "expires": r["expires_at"], "revoked": bool(r["revoked"]),
             "last_used": r["last_used_at"]} for r in rows]


def _one(db, credential_id: str) -> dict:
    if len(credential_id) < 8 or any(c not in "0123456789abcdef" for c in credential_id):
        raise InvalidInput("a credential id is the hex start (8+ characters) of an id from `sxzk credentials list`",
                           fields={"id": [N_("8 or more lowercase hex digits")]})
    rows = list(db.query("SELECT * FROM credentials WHERE substr(token_hash, 1, ?) = ?",
                         [len(credential_id), credential_id]))
    if not rows:
        raise NotFound(Msg("no credential %(id)s", id=credential_id))
    if len(rows) > 1:
        raise InvalidInput(Msg("%(id)s names %(count)d credentials", id=credential_id, count=len(rows)),
                           fields={"id": [N_("give more of the id")]})
    return rows[0]


def revoke(db, credential_id: str) -> dict:
    with write_transaction(db):
        row = _one(db, credential_id)
        db.execute("UPDATE credentials SET revoked = 1 WHERE token_hash = ?", [row["token_hash"]])
    return {"id": row["token_hash"][:ID_LENGTH], "actor": row["actor"], "role": row["role"], "revoked": True}


def rotate(db, credential_id: str, expires_at: dt.datetime | None) -> str:
    """A new token for the same holder; the old one is revoked in the same transaction. Returns the new token."""
    with write_transaction(db):
        row = _one(db, credential_id)
        if row["revoked"]:
            raise InvalidInput(Msg("%(id)s is revoked: issue a new credential with `sxzk credentials add`", id=credential_id),
                               fields={"id": [N_("revoked")]})
        db.execute("UPDATE credentials SET revoked = 1 WHERE token_hash = ?", [row["token_hash"]])
        return auth.add_credential(db, row["role"], row["actor"], row["district"], expires_at=expires_at)
