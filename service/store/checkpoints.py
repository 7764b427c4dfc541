"""Signed checkpoints of the decision log: proof, kept outside the database, of what its head was.

The hash chain alone shows that rows fit together, not that they are the rows that
were written: whoever can write the file can rewrite a row and re-hash every later
link.  A checkpoint is the chain's head (sequence number and row hash) at a moment,
signed with an Ed25519 key whose private half never enters the database.  Auditors
keep exported checkpoints in their own store; ``verify`` compares the log with them
and names where a rewritten, re-hashed or truncated log stops agreeing.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.errors import ServiceError
from service.store.decision_log import GENESIS, row_hash

CHAIN = "decisions"
FIELDS = ("chain", "seq", "head", "at", "key_id", "signature")


class SigningKeyError(ServiceError):
    status = 409
    code = "signing_key"


def init_keys(path: Path | str) -> dict:
    """A new Ed25519 key pair: ``path`` (private, mode 0600) and ``path.pub`` (public, for auditors)."""
    path = Path(path)
    public_path = path.with_name(path.name + ".pub")
    if path.exists() or public_path.exists():
        raise SigningKeyError(f"密钥文件已存在 / {path} exists: a key is never overwritten (move it away first)")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return {"private": str(path), "public": str(public_path), "key_id": key_id(key.public_key())}


def load_private(path: Path | str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"签名密钥无法读取 / the signing key {path} cannot be read ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path | str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"公钥无法读取 / the public key {path} cannot be read ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an Ed25519 public key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _signed_text(cp: dict) -> bytes:
    return f"sxzk-checkpoint/1|{cp['chain']}|{cp['seq']}|{cp['head']}|{cp['at']}|{cp['key_id']}".encode()


def make(db, private: Ed25519PrivateKey, *, at: str) -> dict:
    """Sign the decision log's head now and store the checkpoint; returns it."""
    row = db.execute("SELECT seq, row_hash FROM decisions ORDER BY seq DESC LIMIT 1").fetchone()
    seq, head = (row[0], row[1]) if row else (0, GENESIS)
    cp = {"chain": CHAIN, "seq": seq, "head": head, "at": at, "key_id": key_id(private.public_key())}
    cp["signature"] = private.sign(_signed_text(cp)).hex()
    db["checkpoints"].insert(cp)
    return cp


def listing(db) -> list[dict]:
    return [{k: r[k] for k in FIELDS} for r in db.query("SELECT * FROM checkpoints ORDER BY id")]


def verify(db, checkpoints: list[dict], public: Ed25519PublicKey) -> dict:
    """Compare the log with checkpoints kept elsewhere; the first disagreement is named.

    A checkpoint whose signature fails is reported as such (the copy was altered or
    signed with another key) before the log is looked at.
    """
    for cp in checkpoints:
        try:
            public.verify(bytes.fromhex(cp["signature"]), _signed_text(cp))
        except (InvalidSignature, ValueError, KeyError):
            return {"ok": False, "checkpoint": cp.get("seq"),
                    "reason": "the checkpoint's signature does not verify with this public key "
                              "(the checkpoint copy was altered, or signed with another key)"}
    # a checkpoint of the empty log (seq 0) names no row
    wanted = {cp["seq"]: cp for cp in checkpoints if cp.get("chain") == CHAIN and cp["seq"]}
    agreed, prev, last_seq = 0, GENESIS, 0
    for row in db.query("SELECT * FROM decisions ORDER BY seq"):
        recomputed = row_hash(prev, row)
        if row["prev_hash"] != prev or recomputed != row["row_hash"]:
            return {"ok": False, "seq": row["seq"], "broken_at": row["id"],
                    "reason": "the chain itself is broken here (see verify-log)"}
        prev, last_seq = row["row_hash"], row["seq"]
        cp = wanted.pop(row["seq"], None)
        if cp is None:
            continue
        if cp["head"] != row["row_hash"]:
            first = db.execute("SELECT seq, id FROM decisions WHERE seq > ? ORDER BY seq LIMIT 1", [agreed]).fetchone()
            return {"ok": False, "seq": first[0], "broken_at": first[1], "agreed_through": agreed,
                    "checkpoint": cp["seq"],
                    "reason": f"the log was rewritten: its row {cp['seq']} is not the one signed at {cp['at']}; "
                              f"it agrees with the checkpoints up to row {agreed}, so the first row in doubt "
                              f"is {first[0]}"}
        agreed = row["seq"]
    if wanted:
        missing = min(wanted)
        return {"ok": False, "seq": missing, "agreed_through": agreed,
                "reason": f"the log was truncated: it ends at row {last_seq}, but row {missing} was signed "
                          f"at {wanted[missing]['at']}"}
    return {"ok": True, "checked": len(checkpoints), "agreed_through": agreed, "head": prev}
