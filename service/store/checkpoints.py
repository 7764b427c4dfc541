"""Signed checkpoints of every chain: proof, kept outside the database, of what each head was.

The hash chain alone shows that rows fit together, not that they are the rows that
were written: whoever can write the file can rewrite a row and re-hash every later
link.  A checkpoint is a chain's head (position and row hash) at a moment, signed
with an Ed25519 key whose private half never enters the database; every chain of
``service.store.chains`` (the decision log, the histories) is signed.  Auditors keep
exported checkpoints in their own store; ``verify`` compares every chain with them and
names where a rewritten, re-hashed or truncated chain stops agreeing.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.errors import ServiceError
from service.store import chains
from service.store.chains import GENESIS

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


def make(db, private: Ed25519PrivateKey, *, at: str, chain: chains.Chain = chains.DECISIONS) -> dict:
    """Sign one chain's head now and store the checkpoint; returns it."""
    seq, head = chains.head(db, chain)
    cp = {"chain": chain.name, "seq": seq, "head": head, "at": at, "key_id": key_id(private.public_key())}
    cp["signature"] = private.sign(_signed_text(cp)).hex()
    db["checkpoints"].insert(cp)
    return cp


def make_all(db, private: Ed25519PrivateKey, *, at: str) -> list[dict]:
    """Sign the head of every chain (call inside one write transaction: the heads of one moment)."""
    return [make(db, private, at=at, chain=c) for c in chains.CHAINS]


def listing(db) -> list[dict]:
    return [{k: r[k] for k in FIELDS} for r in db.query("SELECT * FROM checkpoints ORDER BY id")]


def verify(db, checkpoints: list[dict], public: Ed25519PublicKey) -> dict:
    """Compare every chain with checkpoints kept elsewhere; each chain's first disagreement is named.

    A checkpoint whose signature fails, or that names a chain the service does not keep,
    is reported as such (the copy was altered or signed with another key) before any
    chain is looked at.
    """
    for cp in checkpoints:
        try:
            public.verify(bytes.fromhex(cp["signature"]), _signed_text(cp))
        except (InvalidSignature, ValueError, KeyError, TypeError):
            return {"ok": False, "checkpoint": cp.get("seq"), "chain": cp.get("chain"),
                    "reason": "the checkpoint's signature does not verify with this public key "
                              "(the checkpoint copy was altered, or signed with another key)"}
        if cp["chain"] not in chains.BY_NAME:
            return {"ok": False, "checkpoint": cp["seq"], "chain": cp["chain"],
                    "reason": f"no chain {cp['chain']!r}: known chains are {', '.join(chains.BY_NAME)}"}
    return chains.summary({c.name: verify_chain(db, c, [cp for cp in checkpoints if cp["chain"] == c.name])
                           for c in chains.CHAINS})


def verify_chain(db, chain: chains.Chain, checkpoints: list[dict]) -> dict:
    """One chain against its (already verified) checkpoints: rewritten, re-hashed or truncated, and where."""
    # a checkpoint of the empty chain (seq 0) names no row
    wanted = {cp["seq"]: cp for cp in checkpoints if cp["seq"]}
    agreed, prev, last_seq = 0, GENESIS, 0
    order, table = chain.order, chain.table
    for row in db.query(f"SELECT * FROM {table} ORDER BY {order}"):
        recomputed = chain.row_hash(prev, row)
        if row["prev_hash"] != prev or recomputed != row["row_hash"]:
            return {"ok": False, "chain": chain.name, "seq": row[order], "broken_at": row["id"],
                    "reason": "the chain itself is broken here (see verify-log)"}
        prev, last_seq = row["row_hash"], row[order]
        cp = wanted.pop(row[order], None)
        if cp is None:
            continue
        if cp["head"] != row["row_hash"]:
            first = db.execute(f"SELECT {order}, id FROM {table} WHERE {order} > ? ORDER BY {order} LIMIT 1",
                               [agreed]).fetchone()
            return {"ok": False, "chain": chain.name, "seq": first[0], "broken_at": first[1],
                    "agreed_through": agreed, "checkpoint": cp["seq"],
                    "reason": f"the {chain.name} chain was rewritten: its row {cp['seq']} is not the one signed "
                              f"at {cp['at']}; it agrees with the checkpoints up to row {agreed}, so the first "
                              f"row in doubt is {first[0]}"}
        agreed = row[order]
    if wanted:
        missing = min(wanted)
        return {"ok": False, "chain": chain.name, "seq": missing, "agreed_through": agreed,
                "reason": f"the {chain.name} chain was truncated: it ends at row {last_seq}, but row {missing} "
                          f"was signed at {wanted[missing]['at']}"}
    return {"ok": True, "chain": chain.name, "checked": len(checkpoints), "agreed_through": agreed, "head": prev}
