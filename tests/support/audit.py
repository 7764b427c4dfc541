"""An app on a temporary database and a temporary copy of the rules, with decisions to audit."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml

from support.common import ROOT, example

EXAMPLES = ("marketing-complete", "marketing-missing-00181", "accounting-english-substitution",
            "accounting-old-plan-pending")


def make_app(tmp_path: Path):
    """(app, rules root): the rules are a copy the test may edit; demo credentials are loaded."""
    from service.app import create_app
    from service.store.db import connect
    from service.web import auth

    rules = tmp_path / "rules"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, rules / part)
    db_path = tmp_path / "audit.sqlite3"
    app = create_app({"TESTING": True, "DATABASE": str(db_path), "RULES_ROOT": str(rules),
                      "BLOB_DIR": str(tmp_path / "blobs")})
    db = connect(db_path)
    for e in yaml.safe_load((ROOT / "fixtures" / "demo_credentials.yaml").read_text(encoding="utf-8"))["credentials"]:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    db.conn.close()
    return app, rules


def record(app, names=EXAMPLES, **changes) -> list[dict]:
    """Decide and store the example requests (as POST /v1/evaluations would); returns the decisions."""
    from service.decisions.evaluate import evaluate_and_record
    from service.decisions.schemas import EvaluationRequestSchema
    from service.store.db import connect

    db = connect(app.config["DATABASE"])
    try:
        out = []
        for name in names:
            body = copy.deepcopy(example(name))
            body.update(changes)
            data = EvaluationRequestSchema().load(body)
            out += evaluate_and_record(db, app.extensions["rulebook"], data, db_key=app.config["DATABASE"])["decisions"]
        return out
    finally:
        db.conn.close()


def tamper(app, decision_id: str, old: str, new: str) -> None:
    """Change a stored decision's output the way an intruder would: triggers dropped first."""
    from service.store.db import connect

    db = connect(app.config["DATABASE"])
    try:
        db.execute("DROP TRIGGER IF EXISTS decisions_no_update")
        db.execute("UPDATE decisions SET output = replace(output, ?, ?) WHERE id = ?", [old, new, decision_id])
    finally:
        db.conn.close()
