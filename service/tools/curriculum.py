"""What curriculum staff read in the console: the ruleset versions and their differences, and a
what-if of the working files over the stored decisions, summarised per major for a chart.

The same pieces as ``sxzk diff`` and ``sxzk what-if`` (service.tools.diff, service.tools.whatif),
taken with the database and rulebook as arguments; nothing here writes.
"""
from __future__ import annotations

import datetime as dt

from service.rules.loader import load_bundle
from service.store import ruleset_archive
from service.tools.diff import diff_bundles
from service.tools.whatif import latest_stored, what_if

__all__ = ["version_changes", "versions_overview", "working_what_if"]

STATUS_LABELS = {"eligible": "符合", "pending_verification": "待核验", "not_eligible": "不符合"}


def versions_overview(db, rulebook, today: dt.date) -> dict:
    """Every archived version (newest first), marked: in force today, served as working files.

    ``in_force`` is what decisions dated today are made under; ``working`` the
    working-files version the last reload accepted; ``problems`` why the files on
    disk were last refused ([]: they were not).
    """
    in_force = rulebook.in_force(today, db).version
    serving = ruleset_archive.serving(db)
    listed = []
    for row in reversed(ruleset_archive.versions(db)):
        listed.append({**row, "in_force": row["version"] == in_force,
                       "working": row["version"] == serving["version"],
                       "decided": bool(db.execute("SELECT 1 FROM decisions WHERE ruleset_version = ? LIMIT 1",
                                                  [row["version"]]).fetchone())})
    return {"on": today.isoformat(), "in_force": in_force, "working": serving["version"],
            "problems": serving["problems"], "versions": listed}


def version_changes(db, rulebook, old: str, new: str) -> dict:
    """``sxzk diff`` between two archived versions: sentences per major, catalogue, policy and tables."""
    def bundle(version):
        return rulebook.version(version, lambda v: ruleset_archive.files_of(db, v))
    result = diff_bundles(bundle(old), bundle(new))
    result["empty"] = not any(result[k] for k in ("majors", "policy", "catalogue", "tables"))
    return result


def working_what_if(db, rulebook, *, limit: int | None = None) -> dict:
    """The working files on disk decided over the latest stored decision of each (candidate, choice).

    Raises RulesetError (every problem by file and line) when the files do not load.
    ``flips`` are eligible ↔ not, ``changed`` the other status changes, ``errors`` what
    the files cannot decide; ``chart`` counts them per major, in the order listed.
    With more than ``limit`` decisions to decide nothing is decided and ``over_limit``
    says how many there are: a page waits for its answer, ``sxzk what-if`` uses every core.
    """
    draft = load_bundle(rulebook.root, rulebook.area, rulebook.checks)
    items = latest_stored(db)
    if limit is not None and len(items) > limit:
        return {"draft_version": draft.version, "over_limit": len(items), "limit": limit}
    report = what_if(draft, items)
    kinds = (("flip", report.flips), ("changed", report.changed), ("error", report.errors))
    listed = [_flip(draft, kind, f) for kind, flips in kinds for f in flips]
    listed.sort(key=lambda f: (f["university"], f["major"], f["exam_number"]))
    per_major: dict[str, dict] = {}
    for f in listed:
        counts = per_major.setdefault(f["major_title"], {"to_eligible": 0, "to_not": 0, "changed": 0, "error": 0})
        if f["kind"] == "flip":
            counts["to_eligible" if f["after"] == "eligible" else "to_not"] += 1
        else:
            counts[f["kind"]] += 1
    return {
        "draft_version": draft.version, "over_limit": None, "total": report.total, "flips": len(report.flips),
        "changed": len(report.changed), "errors": len(report.errors), "listed": listed,
        "chart": {"labels": list(per_major),
                  **{key: [c[key] for c in per_major.values()] for key in ("to_eligible", "to_not", "changed", "error")}},
    }


def _flip(bundle, kind: str, flip) -> dict:
    item = flip.item
    major = bundle.major(item.university, item.major)
    uni = bundle.universities.get(item.university)
    title = f"{uni.name if uni else item.university} {item.major}{' ' + major.name if major else ''}"
    return {"kind": kind, "exam_number": item.exam_number, "university": item.university, "major": item.major,
            "major_title": title, "before": item.before, "after": flip.after,
            "before_label": STATUS_LABELS.get(item.before, item.before),
            "after_label": STATUS_LABELS.get(flip.after, flip.after),
            "unmet": flip.unmet, "decision_id": item.source}
