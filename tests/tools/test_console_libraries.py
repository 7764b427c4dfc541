"""The library behind the auditors' and curriculum staff's console pages: log pages, replay side by side,
chain and checkpoint status, the plan as the official table, versions with their differences, what-if."""
from __future__ import annotations

import datetime as dt

import pytest
from support.audit import make_app, record, tamper
from support.tools import edit

from service import clock
from service.audit.browsing import chain_status, decision_page, replay_detail
from service.catalogue.records import plan_table
from service.errors import NotFound, RulesetError
from service.store import checkpoints
from service.store.db import connect, write_transaction
from service.tools.curriculum import version_changes, versions_overview, working_what_if

MARKETING = "curricula/plans/sxufe/630701-2021.yaml"


@pytest.fixture
def audited(tmp_path):
    app, rules = make_app(tmp_path)
    decisions = record(app)
    db = connect(app.config["DATABASE"])
    yield app, rules, decisions, db
    db.conn.close()


def test_the_log_pages_newest_first_and_counts_every_match(audited):
    _, _, decisions, db = audited
    page = decision_page(db, limit=3)
    assert page["total"] == len(decisions) == 4
    assert [r["id"] for r in page["rows"]] == [d["id"] for d in reversed(decisions)][:3]
    rest = decision_page(db, limit=3, offset=3)
    assert [r["id"] for r in rest["rows"]] == [decisions[0]["id"]]
    assert page["rows"][0]["status_label"] in ("符合毕业条件", "待核验", "不符合毕业条件")


def test_each_filter_narrows_the_log(audited):
    _, _, decisions, db = audited
    by_status = {d["status"] for d in decisions}
    for status in by_status:
        found = decision_page(db, status=status)
        assert found["total"] == sum(d["status"] == status for d in decisions)
        assert {r["status"] for r in found["rows"]} == {status}
    marketing = decision_page(db, university="sxufe", major="630701")
    assert marketing["total"] == sum(d["major"] == "630701" for d in decisions) == 2
    numbers = [r["exam_number"] for r in decision_page(db)["rows"]]
    assert decision_page(db, exam_number=numbers[0])["total"] == numbers.count(numbers[0])
    assert decision_page(db, exam_number="999999999999")["total"] == 0


def test_days_are_beijing_days_both_included(audited):
    _, _, decisions, db = audited
    today = clock.today()
    assert decision_page(db, day_from=today, day_to=today)["total"] == len(decisions)
    assert decision_page(db, day_to=today - dt.timedelta(days=1))["total"] == 0
    assert decision_page(db, day_from=today + dt.timedelta(days=1))["total"] == 0
    shown = decision_page(db)["rows"][0]["created_local"]
    assert shown.startswith(today.isoformat())


def test_a_replay_that_agrees_is_identical_requirement_by_requirement(audited):
    app, _, decisions, db = audited
    detail = replay_detail(db, app.extensions["rulebook"], decisions[0]["id"])
    assert detail["identical"] is True and detail["differences"] == []
    assert detail["status"] == {"recorded": decisions[0]["status"], "replayed": decisions[0]["status"],
                                "differs": False}
    assert detail["requirements"] and not any(p["differs"] for p in detail["requirements"])


def test_a_tampered_decision_shows_where_it_differs(audited):
    app, _, decisions, db = audited
    target = next(d for d in decisions if d["status"] == "eligible")
    tamper(app, target["id"], '"status":"met"', '"status":"unmet"')
    detail = replay_detail(db, app.extensions["rulebook"], target["id"])
    assert detail["identical"] is False
    flagged = [p for p in detail["requirements"] if p["differs"]]
    assert flagged and all(p["recorded"]["status"] == "unmet" and p["replayed"]["status"] == "met" for p in flagged)
    assert len(detail["differences"]) >= len(flagged)  # every path, not only the API's first five
    assert all(d["recorded"] == "unmet" for d in detail["differences"] if d["path"].endswith(".status"))


def test_replaying_an_unknown_decision_is_not_found(audited):
    app, _, _, db = audited
    with pytest.raises(NotFound):
        replay_detail(db, app.extensions["rulebook"], "0" * 32)


def test_chain_status_without_checkpoints_says_so(audited, tmp_path):
    _, _, decisions, db = audited
    status = chain_status(db, tmp_path / "absent.pem.pub")
    assert status["chain"]["ok"] is True and status["chain"]["checked"] == len(decisions)
    assert status["checkpoints"] == 0 and status["unsigned_rows"] == len(decisions)
    assert status["signatures"]["ok"] is None and "尚无签名检查点" in status["signatures"]["reason"]


def test_chain_status_checks_the_stored_checkpoints_with_the_public_key(audited, tmp_path):
    app, _, decisions, db = audited
    keys = checkpoints.init_keys(tmp_path / "keys" / "signing-key.pem")
    with write_transaction(db):
        checkpoints.make(db, checkpoints.load_private(keys["private"]), at="2026-12-02T10:00:00+08:00")
    more = record(app, names=("marketing-complete",))
    status = chain_status(db, keys["public"])
    assert status["signatures"]["ok"] is True and status["checkpoints"] == 1
    assert status["unsigned_rows"] == len(more) and status["latest"]["seq"] == len(decisions)
    # no key file: the signatures are not passed unchecked
    assert chain_status(db, tmp_path / "elsewhere.pub")["signatures"]["ok"] is None
    # another key: they do not verify
    other = checkpoints.init_keys(tmp_path / "other" / "key.pem")
    assert chain_status(db, other["public"])["signatures"]["ok"] is False


def test_chain_status_names_the_broken_link(audited, tmp_path):
    app, _, decisions, db = audited
    tamper(app, decisions[1]["id"], '"earned"', '"earned "')
    chain = chain_status(db, None)["chain"]
    assert chain["ok"] is False and chain["broken_at"] == decisions[1]["id"]


def test_plan_table_is_the_official_plan(audited):
    app, _, _, _ = audited
    bundle = app.extensions["rulebook"].current()
    (marketing,) = bundle.plans_for("sxufe", "630701")
    table = plan_table(bundle, marketing)
    assert [r["code"] for r in table["rows"]] == list(marketing.required)
    assert table["required_credits"] == sum(bundle.catalogue[c].credits for c in marketing.required) == 78
    assert {r["group"] for r in table["rows"]} == {"必考"} and not any(r["thesis"] for r in table["rows"])
    assert all(r["source"] == marketing.source and r["kind"] for r in table["rows"])
    (accounting,) = [p for p in bundle.plans_for("sxufe", "120203K") if p.edition == "2017"]
    rows = plan_table(bundle, accounting)["rows"]
    assert rows[-1]["code"] == accounting.thesis and rows[-1]["thesis"] and rows[-1]["kind"].startswith("论文")
    grouped = [r for r in rows if r["group"] not in ("必考", "论文")]
    assert {r["code"] for r in grouped} == set(accounting.groups[0].courses)
    assert all("任选" in r["group"] or "学分" in r["group"] for r in grouped)


def test_versions_and_their_differences(audited):
    app, rules, _, db = audited
    rulebook = app.extensions["rulebook"]
    first = rulebook.current().version
    edit(rules / MARKETING, '"00181", ', "")
    assert rulebook.reload(db, clock.today(), author="test")["reloaded"]
    second = rulebook.current().version
    overview = versions_overview(db, rulebook, clock.today())
    assert [v["version"] for v in overview["versions"]][:2] == [second, first]
    assert overview["working"] == second and overview["versions"][1]["decided"] is True
    changes = version_changes(db, rulebook, first, second)
    assert not changes["empty"]
    (title,) = changes["majors"]
    assert "630701" in title and any("00181" in line and "removed" in line for line in changes["majors"][title])
    assert version_changes(db, rulebook, first, first)["empty"]


def test_what_if_of_the_working_files_lists_the_flips_and_counts_them_per_major(audited):
    app, rules, decisions, db = audited
    rulebook = app.extensions["rulebook"]
    assert working_what_if(db, rulebook)["flips"] == 0  # the files the decisions were made under
    edit(rules / MARKETING, '"00181", ', "")  # the course the one not eligible failed
    result = working_what_if(db, rulebook)
    missing = next(d for d in decisions if d["major"] == "630701" and d["status"] == "not_eligible")
    (flip,) = [f for f in result["listed"] if f["kind"] == "flip"]
    assert (flip["decision_id"], flip["before"], flip["after"]) == (missing["id"], "not_eligible", "eligible")
    assert flip["unmet"] == [] and flip["after_label"] == "符合"
    assert result["chart"]["labels"] == [flip["major_title"]] and result["chart"]["to_eligible"] == [1]
    # the latest decision of each (candidate, choice): the examples share candidates
    assert result["total"] == db.execute("SELECT count(*) FROM (SELECT DISTINCT exam_number, university, major "
                                         "FROM decisions)").fetchone()[0]
    assert rulebook.current().version != result["draft_version"]  # nothing served or stored changes
    over = working_what_if(db, rulebook, limit=1)
    assert over["over_limit"] == result["total"] and "listed" not in over
    edit(rules / MARKETING, "min_credits: 70", "min_credits: [70]")
    with pytest.raises(RulesetError):
        working_what_if(db, rulebook)
