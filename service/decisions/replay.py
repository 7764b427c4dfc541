"""Replay: decide again from a stored decision's input, under its own ruleset version."""
from __future__ import annotations

from service.rules.canonical import canonical_json
from service.rules.decide import decide
from service.rules.inputs import request_for
from service.store import ruleset_archive


def first_differences(old, new, path="", limit=5) -> list[dict]:
    """Where two JSON values differ, as paths (the first few, in document order)."""
    out: list[dict] = []

    def walk(a, b, p):
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{p}.{k}" if p else k)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{p}[{i}]")
        elif a != b:
            out.append({"path": p or "(root)", "recorded": a, "replayed": b})

    walk(old, new, path)
    return out


def replay_row(db, rulebook, row: dict, engine=None) -> dict:
    """Re-evaluate one stored decision; identical or the differences."""
    result, _ = replay_with_output(db, rulebook, row, engine)
    return result


def replay_with_output(db, rulebook, row: dict, engine=None, limit: int = 5) -> tuple[dict, dict | None]:
    """``replay_row``'s result (with at most ``limit`` differences) and the replayed decision (None if it failed)."""
    inp = row["input"]
    bundle = rulebook.version(row["ruleset_version"], lambda v: ruleset_archive.files_of(db, v))
    try:
        replayed = decide(bundle, request_for(inp, inp["choice"]), engine)
    except Exception as exc:  # a replay that cannot run is a difference, not a crash
        return {"id": row["id"], "identical": False, "ruleset_version": row["ruleset_version"],
                "differences": [{"path": "(replay)", "recorded": row["status"], "replayed": f"error: {exc}"}]}, None
    identical = canonical_json(replayed) == canonical_json(row["output"])
    result = {"id": row["id"], "identical": identical, "ruleset_version": row["ruleset_version"],
              "engine_version": row["engine_version"]}
    if not identical:
        result["differences"] = first_differences(row["output"], replayed, limit=limit)
    return result, replayed


def replay_many(db, rulebook, rows, engine=None, progress=None) -> dict:
    identical, differing, total = 0, [], 0
    for row in rows:
        total += 1
        result = replay_row(db, rulebook, row, engine)
        if result["identical"]:
            identical += 1
        else:
            differing.append({"id": result["id"], "first_difference": (result.get("differences") or [None])[0]})
        if progress:
            progress(1)
    return {"total": total, "identical": identical, "differing": len(differing), "differences": differing}
