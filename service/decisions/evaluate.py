"""Evaluate every choice of a request and record the decisions: all or nothing."""
from __future__ import annotations

from service.errors import InvalidInput, Msg, NotFound
from service.rules.decide import decide
from service.rules.inputs import canonical_input, request_for
from service.sanctions import records as sanctions
from service.store import decision_log, ruleset_archive

_archived: set[tuple[str, str]] = set()  # (database, version) already in the archive


def ensure_archived(db, bundle, db_key: str) -> None:
    if (db_key, bundle.version) not in _archived:
        ruleset_archive.archive(db, bundle)
        _archived.add((db_key, bundle.version))


def bundle_for(db, rulebook, data: dict):
    """The version a request is decided under: the archived one it names, else the one in force on its as_of.

    Naming a version is how an application keeps the version it was checked with.
    """
    pinned = data.get("ruleset_version")
    if pinned is None:
        return rulebook.in_force(data["as_of"], db)
    if not _may_decide_under(db, pinned):
        raise InvalidInput("ruleset version not in force", fields={"ruleset_version": [
            Msg("%(version)s was never published nor decided with: drafts are for sxzk what-if, not for decisions",
                version=pinned)]})
    try:
        return rulebook.version(pinned, lambda v: ruleset_archive.files_of(db, v))
    except NotFound:
        raise InvalidInput("unknown ruleset version",
                           fields={"ruleset_version": [Msg("%(version)s is not an archived ruleset version",
                                                              version=pinned)]}) from None


def _may_decide_under(db, version: str) -> bool:
    """Published, or already decided with (the working files in force before any publication)."""
    published = ruleset_archive.is_published(db, version)
    if published is None:
        return True  # not archived at all: reported below as unknown
    return published or decision_log.decided_under(db, version)


def evaluate_and_record(db, rulebook, data: dict, *, db_key: str = "", transcript_source: str | None = None) -> dict:
    """Decide each choice first; only when every choice could be decided is anything stored.

    ``transcript_source`` (``service.decisions.trusted``): whether the transcript is the imported
    record or one the caller sent; kept in the stored input (so the chain covers it) and answered.
    """
    bundle = bundle_for(db, rulebook, data)
    # 延迟毕业 records come from the candidate's file, never from the caller (docs/rules-semantics.md 4.9)
    data = {**data, "sanctions": sanctions.for_decision(db, data["candidate"]["exam_number"])}
    canon = canonical_input(data)
    if transcript_source is not None:
        canon["transcript_source"] = transcript_source
    entries = []
    for choice in data["choices"]:
        choice = {k: v for k, v in sorted(choice.items()) if v is not None}
        decision = decide(bundle, request_for(canon, choice))
        entries.append({"exam_number": canon["candidate"]["exam_number"], "university": choice["university"],
                        "major": choice["major"], "input": {**canon, "choice": choice}, "output": decision})
    ensure_archived(db, bundle, db_key)
    rows = decision_log.append(db, entries)
    return {
        "evaluation_id": rows[0]["evaluation_id"],
        **({"transcript_source": transcript_source} if transcript_source is not None else {}),
        "decisions": [{"id": row["id"], "created_at": row["created_at"], **entry["output"]}
                      for row, entry in zip(rows, entries, strict=True)],
    }
