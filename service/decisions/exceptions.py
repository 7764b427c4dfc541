"""The exceptions in force for a candidate, as a decision's input (docs/rules-semantics.md, section 3a).

The table is the exceptions feature's (service/exceptions/tables.py); it is read here,
below both the evaluations endpoint and the application check, so that each loads the
candidate's exceptions server-side: a caller can never send them.
"""
from __future__ import annotations

IN_FORCE = "in_force"


def in_force(db, exam_number: str, choices) -> list[dict]:
    """The exceptions of ``exam_number`` in force for the (university, major) of ``choices``, by id.

    In the canonical input's spelling: the decision log keeps them with the input, so a replay is exact.
    """
    wanted = {(c["university"], c["major"]) for c in choices}
    cur = db.conn.execute("SELECT id, university, major, kind, course, by_course FROM candidate_exceptions "
                          "WHERE exam_number = ? AND state = ? ORDER BY id", [exam_number, IN_FORCE])
    out = []
    for exc_id, university, major, kind, course, by in cur.fetchall():
        if (university, major) not in wanted:
            continue
        item = {"id": exc_id, "university": university, "major": major, "kind": kind, "course": course}
        if by:
            item["by"] = by
        out.append(item)
    return out
