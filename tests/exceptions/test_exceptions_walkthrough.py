"""docs/tools.md "Walkthrough: a 停考 substitution for one candidate", done as written: its commands, its output."""
from __future__ import annotations

import json
import re
import shlex
import subprocess

from support.common import ROOT

DOC = (ROOT / "docs" / "tools.md").read_text(encoding="utf-8")
START = DOC.index("## Walkthrough: a 停考 substitution for one candidate")
SECTION = DOC[START:DOC.index("\n## ", START + 1)]


def blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the section, in order."""
    return re.findall(r"```(\w+)\n(.*?)```", SECTION, re.S)


def steps() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown) of each console block, and the yaml / sh blocks as given."""
    out = []
    for lang, text in blocks():
        if lang == "console":
            command, *shown = text.rstrip("\n").split("\n")
            assert command.startswith("$ ")
            out.append((command[2:], shown))
        else:
            out.append((lang, text.splitlines()))
    return out


def evaluate(client, command: str) -> list[str]:
    """A `curl ... | jq ...` line of the walkthrough: the request made with the test client, the same jq filter."""
    curl, jq = command.split(" | ", 1)
    args = shlex.split(curl)
    headers = dict(h.split(": ", 1) for h in (args[i + 1] for i, a in enumerate(args) if a == "-H"))
    body = json.loads((ROOT / args[args.index("-d") + 1].lstrip("@")).read_text(encoding="utf-8"))
    path = args[args.index("-X") + 2].split("8000", 1)[1]
    resp = client.post(path, json=body, headers={"Authorization": headers["Authorization"]})
    assert resp.status_code == 201, resp.json
    evaluate.last = resp.json["decisions"][0]["id"]
    result = subprocess.run(shlex.split(jq), input=json.dumps(resp.json), capture_output=True, text=True, check=True)
    return result.stdout.rstrip("\n").splitlines()


def test_the_walkthrough_as_written(served):
    from conftest import MAJOR_ENTRY, mark_discontinued

    app, rules = served
    runner, client = app.test_cli_runner(), app.test_client()
    decisions = []
    for command, shown in steps():
        if command == "yaml":  # the majors.yaml entry with discontinued_from
            mark_discontinued(rules, "\n".join(shown) + "\n")
            assert MAJOR_ENTRY.rstrip("\n") in "\n".join(shown)
            continue
        if command == "sh":
            for line in shown:
                result = runner.invoke(args=shlex.split(line)[1:])
                assert result.exit_code == 0, result.output
            continue
        if command.startswith("curl "):
            assert evaluate(client, command) == shown, command
            decisions.append(evaluate.last)
            continue
        assert command.startswith("sxzk ")
        if "<id of step 4's decision>" in command:
            command = command.replace("<id of step 4's decision>", decisions[1])
        args = shlex.split(command)[1:]
        result = runner.invoke(args=args)
        assert result.output.rstrip("\n").splitlines() == shown, command
        assert result.exit_code == (1 if "例外不符合规定" in result.output else 0), result.output
    assert len(decisions) == 2

    # "A new decision is not_eligible again (step 2's answer)"
    step2 = next(c for c, _ in steps() if c.startswith("curl "))
    assert evaluate(client, step2) == next(s for c, s in steps() if c.startswith("curl "))
    # the replayed decision carries the exception in its stored input
    with app.app_context():
        from service.store import decision_log
        from service.store.db import connect

        db = connect(app.config["DATABASE"])
        row = decision_log.get(db, decisions[1])
        db.conn.close()
    assert row["input"]["exceptions"] == [{"by": "13683", "course": "00229", "id": 1, "kind": "substitute",
                                           "major": "030101K", "university": "sxu"}]
