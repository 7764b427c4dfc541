"""The `sxzk` commands of curriculum staff and auditors: thin wrappers over the tools' library.

`check`, `test`, `explain` and `diff` work on files only (no database, and no
app: they must run on a tree whose rules do not load).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import defaults


def _root(value) -> Path:
    return Path(value or defaults()["RULES_ROOT"])


ROOT_ARG = click.argument("root", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))


@click.command("check")
@ROOT_ARG
def check_command(root):
    """Validate every curriculum, ruleset and test-case file (exit 1 on any problem).

    ROOT is the folder holding curricula/ and rulesets/ (default: the service's rules).
    """
    from .checking import check_tree

    report = check_tree(_root(root))
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s)", err=True)
        sys.exit(1)
    bundle = report.bundle
    click.echo(f"ok: {len(bundle.plans)} plan(s) of {len({(p.university, p.major) for p in bundle.plans})} major(s), "
               f"{len(bundle.catalogue)} course(s), {len(report.cases)} test case(s); version {bundle.version[:12]}")


@click.command("test")
@ROOT_ARG
@click.option("-v", "--verbose", is_flag=True, help="list passing cases too")
def test_command(root, verbose):
    """Run the YAML test cases beside the rulesets; each failure as expected vs actual per requirement."""
    from .checking import run_tests

    run = run_tests(_root(root))
    for problem in run.problems:
        click.echo(str(problem))
    for case, mismatches in run.results:
        if mismatches:
            click.echo(f"FAIL {case.label}")
            for line in mismatches:
                click.echo(f"     {line}")
        elif verbose:
            click.echo(f"ok   {case.label}")
    failed = len(run.failed)
    summary = f"{len(run.results) - failed} passed, {failed} failed"
    if run.problems:
        summary += f", {len(run.problems)} problem(s) in the files"
    click.echo(summary)
    if not run.ok:
        sys.exit(1)


COMMANDS = [check_command, test_command]
