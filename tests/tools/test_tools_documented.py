"""Every `sxzk` command a user can see in `sxzk --help` (groups recursively) is documented with an example."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from support.tools import ROOT

from service import cli


def _commands(runner, env, path=()) -> list[tuple[str, ...]]:
    result = runner.invoke(cli.main, [*path, "--help"], env=env)
    assert result.exit_code == 0, result.output
    _, _, listing = result.stdout.partition("\nCommands:\n")
    names = [m.group(1) for m in re.finditer(r"^  (\S+)", listing, re.M)]
    out = []
    for name in names:
        out.append((*path, name))
        out += _commands(runner, env, (*path, name))
    return out


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    for command in cli.all_commands():  # what `sxzk` (cli.run) registers on the group
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    env = {"SXZK_DATABASE": str(tmp_path_factory.mktemp("db") / "help.sqlite3")}
    return _commands(CliRunner(), env)


def documentation() -> str:
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in paths if p.exists())


def test_the_help_lists_the_tools(commands):
    for name in ("check", "test", "explain", "diff", "what-if", "publish", "export", "replay", "verify-log"):
        assert (name,) in commands
    # the transfer-out rules are part of the one bundle: `sxzk check` validates them
    assert ("transfer-out", "check-rules") not in commands


def test_every_command_is_documented_with_an_example(commands):
    text = documentation()
    undocumented = [" ".join(c) for c in commands if not re.search(rf"sxzk {re.escape(' '.join(c))}(\s|$)", text)]
    assert undocumented == [], f"not in README.md or docs/*.md as `sxzk <command> ...`: {undocumented}"
