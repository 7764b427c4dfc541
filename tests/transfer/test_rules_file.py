"""The transfer-out rules and state table files: read strictly, every mistake named with its line."""
from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import RulesetError
from service.reference.transfer_rules import RULES_FILE, load_rules
from service.transfer import states

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / RULES_FILE).read_text(encoding="utf-8")


def load_text(tmp_path, text: str):
    path = tmp_path / "transfer_out.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def problems(tmp_path, text: str) -> list[dict]:
    with pytest.raises(RulesetError) as err:
        load_text(tmp_path, text)
    return err.value.extra["problems"]


def test_the_shipped_file_loads_and_names_its_sources():
    rules = load_rules(ROOT / RULES_FILE)
    assert len(rules.provinces) == 30 and len(rules.conditions) == 6
    assert "source:" in TEXT and "policies.md section 6" in TEXT and "000_088c58a55d7f2524" in TEXT


def test_every_mistake_is_reported_at_once_with_its_line(tmp_path):
    text = (TEXT.replace("  - {code: \"11\", name: 北京市}", "  - {code: \"14\", name: 山西省}")
                .replace("  - {name: 求学}", "  - {name: 求学, bogus: 1}")
                .replace("    months: 12", "    months: twelve")
                .replace("  provincial: 非全国统考（省考）课程不能转出\n", "")
                .replace("  kinds: [theory]", "  kinds: [lecture]"))
    found = problems(tmp_path, text)
    fields = {p["field"] for p in found}
    assert {"provinces[0].name", "reasons[3].bogus", "conditions[5].months", "non_transferable.provincial",
            "transferable.kinds"} <= fields
    by_field = {p["field"]: p for p in found}
    assert by_field["provinces[0].name"]["line"] == TEXT.splitlines().index('  - {code: "11", name: 北京市}') + 1
    assert "山西" in by_field["provinces[0].name"]["message"]


def test_a_duplicate_province_and_an_unknown_condition_are_refused(tmp_path):
    text = (TEXT.replace("  - {code: \"12\", name: 天津市}", "  - {code: \"11\", name: 北京市}")
                .replace("  - id: transfer_in_cooldown", "  - id: cooling_off"))
    fields = {p["field"]: p["message"] for p in problems(tmp_path, text)}
    assert "listed twice" in fields["provinces[1]"]
    assert "unknown condition" in fields["conditions[5].id"]


def test_a_duplicate_key_is_a_syntax_problem_not_a_silent_override(tmp_path):
    text = TEXT.replace("  min_digits: 10\n", "  min_digits: 10\n  min_digits: 12\n")
    found = problems(tmp_path, text)
    assert found[0]["field"] == "(yaml)" and "duplicate key" in found[0]["message"]


def test_the_state_table_has_the_issues_steps():
    tbl = states.table()
    assert tbl.initial == "submitted"
    steps = {(t.action, t.source, t.target): t for t in tbl.transitions}
    assert set(steps) == {("create", None, "submitted"), ("withdraw", "submitted", "withdrawn"),
                          ("confirm_on_site", "submitted", "confirmed_on_site"), ("reject", "submitted", "rejected"),
                          ("approve", "confirmed_on_site", "approved"), ("reject", "confirmed_on_site", "rejected")}
    assert steps[("withdraw", "submitted", "withdrawn")].roles == ("portal",)
    assert all(t.reason_required for t in tbl.transitions if t.action == "reject")
    assert all("auditor" not in t.roles for t in tbl.transitions)
    assert {s for s, st in tbl.states.items() if st.final} == {"approved", "rejected", "withdrawn"}
