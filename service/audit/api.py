"""The auditors' HTTP endpoints: replay, the log's hash chain, archived ruleset versions. Read-only."""
from __future__ import annotations

from flask_smorest import Blueprint

from service.audit.schemas import (
    LogVerificationSchema,
    ReplayQuerySchema,
    ReplayRangeSchema,
    RulesetVersionFilesSchema,
    RulesetVersionListSchema,
    ViewListSchema,
    ViewsQuerySchema,
)
from service.decisions.replay import replay_row
from service.errors import Msg, NotFound
from service.store import chains, decision_log, ruleset_archive, views
from service.web import auth, current

blp = Blueprint("audit", __name__, url_prefix="/v1/audit",
                description="Audit: replay decisions, verify the decision log, archived ruleset versions, who viewed "
                            "personal data (read-only)")

AUDITORS = ("auditor", "province")


@blp.route("/replay")
@blp.arguments(ReplayQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, ReplayRangeSchema)
@auth.require(*AUDITORS)
def replay(query):
    """Replay one decision or the decisions of a period, each under its recorded ruleset version.

    At most ``limit`` (≤ 10,000) decisions a request, in log order: when ``more``
    is true, ask again with ``after_seq=next_after_seq``. Nothing is stored.
    """
    db = current.db()
    limit = query["limit"]
    rows = list(decision_log.select(db, limit=limit + 1, after_seq=query["after_seq"],
                                    decision_id=query.get("decision_id"), since=query.get("since"),
                                    until=query.get("until")))
    if query.get("decision_id") and not rows:
        raise NotFound(Msg("no decision %(id)s", id=query["decision_id"]))
    more = len(rows) > limit
    rows = rows[:limit]
    identical, differing = 0, []
    for row in rows:
        result = replay_row(db, current.rulebook(), row)
        if result["identical"]:
            identical += 1
        else:
            differing.append({"id": row["id"], "first_difference": (result.get("differences") or [None])[0]})
    return {"total": len(rows), "identical": identical, "differing": len(differing), "differences": differing,
            "first_seq": rows[0]["seq"] if rows else None, "last_seq": rows[-1]["seq"] if rows else None,
            "more": more, "next_after_seq": rows[-1]["seq"] if more else None}


@blp.route("/log/verify")
@blp.response(200, LogVerificationSchema)
@auth.require(*AUDITORS)
def verify_log():
    """Walk every hash chain: the decision log, the application, candidate and transfer-out histories and
    the log of views; ``ok`` false names the first broken link (chain, seq, id) and why.

    Signed checkpoints (what catches a rewritten and re-hashed chain) are verified offline by the
    auditors with ``sxzk verify-log --checkpoints``, against their own copy and the public key.
    """
    walked = chains.verify_all(current.db())
    return walked | ({"head": walked["chains"]["decisions"]["head"]} if walked["ok"] else {})


@blp.route("/ruleset-versions")
@blp.response(200, RulesetVersionListSchema)
@auth.require(*AUDITORS, "curriculum")
def list_versions():
    """Every archived ruleset version (published or not), and the one in force today."""
    db = current.db()
    today = current.now().date()
    in_force = current.rulebook().in_force(today, db).version
    listed = ruleset_archive.versions(db)
    published = any(v["version"] == in_force and v["published"] and (v["effective_from"] or "") <= today.isoformat()
                    for v in listed)
    return {"in_force": {"on": today.isoformat(), "version": in_force, "published": published}, "versions": listed}


@blp.route("/ruleset-versions/<string:version>")
@blp.response(200, RulesetVersionFilesSchema)
@auth.require(*AUDITORS, "curriculum")
def get_version(version):
    """One archived version with its canonical files (what a replay of its decisions is based on)."""
    db = current.db()
    row = ruleset_archive.record(db, version)
    if not row:
        raise NotFound(Msg("ruleset version %(version)s is not in the archive", version=version))
    return {**row, "files": ruleset_archive.files_of(db, version)}


@blp.route("/views")
@blp.arguments(ViewsQuerySchema, location="query", unknown=None)
@blp.response(200, ViewListSchema)
@auth.require(*AUDITORS)
def list_views(query):
    """Who viewed personal data: each identity photo, graduation photo, scan and unmasked ID number served.

    Newest first; filter by candidate, actor, role, kind and period (``since`` inclusive, ``until``
    exclusive; a date or time without offset is Beijing's).
    """
    return views.page(current.db(), **query)
