"""The repository's paths, the demo credentials' tokens and the example request bodies."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

# fixtures/demo_credentials.yaml, which the `app` fixture loads
TOKENS = {
    "portal": "demo-portal",
    "county": "demo-county-xiaodian",
    "county-other": "demo-county-yingze",
    "city": "demo-city-taiyuan",
    "province": "demo-province",
    "auditor": "demo-auditor",
    "curriculum": "demo-curriculum",
}


def auth_headers(role: str, candidate: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}
    if candidate:
        headers["X-Candidate"] = candidate
    return headers


def example(name: str) -> dict:
    return json.loads((FIXTURES / "examples" / f"{name}.json").read_text(encoding="utf-8"))
