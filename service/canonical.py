"""Canonical JSON and content hashes: the basis of versions, replay and the hash chain."""
from __future__ import annotations

import datetime as dt
import hashlib
import json


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(value) -> str:
    """One spelling per value: sorted keys, no spaces, Chinese unescaped."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def plain(value):
    """Turn parsed YAML (line-annotated containers, dates) into plain JSON data."""
    return json.loads(canonical_json(value))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(value) -> str:
    return sha256_hex(canonical_json(value))
