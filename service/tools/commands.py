"""The `sxzk` commands of curriculum staff and auditors: thin wrappers over the tools' library.

`check`, `test`, `explain` and `diff` work on files only (no database, and no
app: they must run on a tree whose rules do not load).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from service import translations
from service.config import defaults


def _root(value) -> Path:
    return Path(value or defaults()["RULES_ROOT"])


ROOT_ARG = click.argument("root", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))


@click.command("check")
@ROOT_ARG
def check_command(root):
    """Validate every curriculum, ruleset and test-case file (exit 1 on any problem).

    ROOT is the folder holding curricula/ and rulesets/ (default: the service's rules).
    """
    from service.tools.checking import check_tree

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
@click.option("--coverage", is_flag=True, help="report, per plan, what no case exercised; a summary line per major")
@click.option("--min", "minimum", type=click.FloatRange(0, 100),
              help="with --coverage: exit 1 when a major's coverage (percent) is below this")
def test_command(root, verbose, coverage, minimum):
    """Run the YAML test cases beside the rulesets; each failure as expected vs actual per requirement."""
    if minimum is not None and not coverage:
        raise click.UsageError("--min goes with --coverage")
    from service.tools.checking import run_tests

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
    if coverage:
        from service.tools.coverage import by_major, plan_coverage, render

        bundle = run.bundle
        majors = by_major(bundle, plan_coverage(bundle, [case for case, _ in run.results]))
        click.echo("")
        click.echo("\n".join(render(bundle, majors)))
        below = [m for m in majors if minimum is not None and m.percent < minimum]
        if below:
            click.echo(f"{len(below)} major(s) below {minimum:g}%: "
                       + ", ".join(f"{m.university}/{m.major}" for m in below), err=True)
            sys.exit(1)


COMMANDS = [check_command, test_command]


@click.command("explain")
@click.argument("transcript", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--university", help="evaluate this examining university's major instead of the file's choices")
@click.option("--major", help="the major code (with --university)")
@click.option("--edition", help="one plan edition only")
@click.option("--rules", "rules_root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder holding curricula/ and rulesets/ (default: the service's rules)")
def explain_command(transcript, university, major, edition, rules_root):
    """Print the checklist a candidate sees for an evaluation-request JSON file (nothing is stored).

    TRANSCRIPT is a request like fixtures/examples/*.json; without --university/--major
    every choice in it is explained.
    """
    import json

    from service.errors import RulesetError
    from service.rules.loader import load_bundle
    from service.tools.explain import checklist
    from service.tools.requests import RequestFileError, decide_file

    if bool(university) != bool(major):
        raise click.UsageError("give --university and --major together")
    try:
        bundle = load_bundle(_root(rules_root))
    except RulesetError as exc:
        click.echo("\n".join(str(p) for p in exc.problems), err=True)
        click.echo("the rules do not load: run `sxzk check`", err=True)
        sys.exit(1)
    try:
        body = json.loads(transcript.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        click.echo(f"{transcript}: not a JSON file: {exc}", err=True)
        sys.exit(2)
    choice = {"university": university, "major": major, "edition": edition} if university else None
    try:
        decisions = decide_file(bundle, body, choice=choice, edition=edition)
    except RequestFileError as exc:
        for line in exc.lines:
            click.echo(f"{transcript}: {line}", err=True)
        sys.exit(2)
    for i, decision in enumerate(decisions):
        if i:
            click.echo("")
        click.echo("\n".join(checklist(bundle, decision)))


COMMANDS.append(explain_command)


def _load_source(spec: str):
    """A bundle from a folder or git revision; problems printed and exit 1 when it does not load."""
    from service.errors import RulesetError
    from service.tools.sources import SourceError, bundle_at, describe

    try:
        return bundle_at(spec, _root(None))
    except SourceError as exc:
        raise click.BadParameter(translations.text(exc)) from None
    except RulesetError as exc:
        click.echo(f"{describe(spec)} does not load:", err=True)
        click.echo("\n".join(str(p) for p in exc.problems), err=True)
        sys.exit(1)


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="print the changes as JSON")
def diff_command(old, new, as_json):
    """What changed between two ruleset versions, per major (OLD and NEW: folders or git revisions).

    Example: sxzk diff HEAD~3 .   or   sxzk diff /srv/rules-2024 /srv/rules-draft
    """
    import json

    from service.tools.diff import diff_bundles, render

    a, b = _load_source(old), _load_source(new)
    result = diff_bundles(a, b)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{old} ({a.version[:12]}) → {new} ({b.version[:12]})")
        click.echo("\n".join(render(result)))


COMMANDS.append(diff_command)


@click.command("what-if")
@click.argument("new")
@click.option("--cohort", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="evaluation requests (JSON array or JSON Lines) instead of the stored decisions")
@click.option("--base", help="with --cohort: the version to compare with (folder or git revision; default: the rules in force)")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="the database (default: the service's); opened read-only")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="also write every flip to this CSV file")
def what_if_command(new, cohort, base, db_path, csv_path):
    """Decide again under a draft ruleset NEW (folder or git revision) and name who would flip, per major.

    Without --cohort: the latest stored decision of each (candidate, choice), compared
    with what it recorded. Nothing stored changes.
    """
    from service.store.db import NoDatabase, open_readonly
    from service.tools.requests import RequestFileError
    from service.tools.whatif import cohort_items, latest_stored, render, what_if, write_csv

    draft = _load_source(new)
    if cohort:
        base_bundle = _load_source(base or str(_root(None)))
        try:
            items = cohort_items(base_bundle, cohort)
        except RequestFileError as exc:
            for line in exc.lines:
                click.echo(f"{cohort}: {line}", err=True)
            sys.exit(2)
    else:
        if base:
            raise click.UsageError("--base goes with --cohort (stored decisions are compared with what they recorded)")
        try:
            db = open_readonly(db_path or defaults()["DATABASE"])
            items = latest_stored(db)
        except NoDatabase as exc:
            raise click.UsageError(exc.message) from None
        except OSError as exc:
            raise click.UsageError(str(exc)) from None
        db.conn.close()
    with click.progressbar(length=len(items), label="re-evaluating", file=sys.stderr) as bar:
        report = what_if(draft, items, progress=bar.update)
    click.echo("\n".join(render(report, draft)))
    if csv_path:
        write_csv(report, csv_path)
        click.echo(f"flips written to {csv_path}")


COMMANDS.append(what_if_command)


def _plans_commands():
    from service.tools.plans.cli import plans_group

    return [plans_group]


COMMANDS += _plans_commands()
