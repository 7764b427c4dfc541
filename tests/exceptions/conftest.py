"""An app serving a copy of the rules (so a walkthrough may mark a major 停考), with the demo candidates."""
from __future__ import annotations

import shutil

import pytest
import yaml
from support import candidates
from support.common import FIXTURES, ROOT

MAJOR_ENTRY = '''  - university: sxu
    code: "030101K"
    name: 法学
    level: 专升本
    status: open
'''


@pytest.fixture
def rules(tmp_path):
    root = tmp_path / "rules"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, root / part)
    return root


def mark_discontinued(rules_root, entry: str = MAJOR_ENTRY.rstrip("\n") + "\n    discontinued_from: 2026-07-01\n"):
    path = rules_root / "curricula" / "majors.yaml"
    text = path.read_text(encoding="utf-8")
    assert MAJOR_ENTRY in text
    path.write_text(text.replace(MAJOR_ENTRY, entry.rstrip("\n") + "\n"), encoding="utf-8")


def discontinue(app, rules_root) -> None:
    """法学 marked 停考 in the served rules, and the service reloaded to serve them (as `sxzk reload`)."""
    mark_discontinued(rules_root)
    result = app.test_cli_runner().invoke(args=["reload", "--author", "test"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def served(tmp_path, rules):
    """(app, rules root): the demo candidates loaded, the clock at support.candidates.NOW."""
    from service.app import create_app
    from service.store.db import connect
    from service.web import auth

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite3"), "BLOB_DIR": str(tmp_path / "blobs"),
                      "RULES_ROOT": str(rules)})
    db = connect(tmp_path / "test.sqlite3")
    for e in yaml.safe_load((FIXTURES / "demo_credentials.yaml").read_text(encoding="utf-8"))["credentials"]:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    db.conn.close()
    candidates.load(app)
    return app, rules
