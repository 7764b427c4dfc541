"""`sxzk publish` and `sxzk reload`: the rules lifecycle commands (the database decides what every worker serves)."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from service.web import current


@click.command("publish")
@click.option("--note", required=True, help="what changed and why (kept with the version)")
@click.option("--effective-from", "effective_from", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="the first decision date (as_of) the version applies to, YYYY-MM-DD")
@click.option("--author", default=None, help="who publishes (default: the login name)")
@with_appcontext
def publish_command(note, effective_from, author):
    """Publish the current rules: archived with their content hash, author, note and effective date.

    From EFFECTIVE-FROM on, decisions (and re-checks) dated on or after it use this
    version. The rules must pass `sxzk check` and `sxzk test` first.
    """
    from service.rules.loader import load_bundle
    from service.store.db import connect
    from service.tools.checking import run_tests
    from service.tools.publishing import publish
    from service.tools.tables import table_checks

    root = Path(current.config()["RULES_ROOT"])
    run = run_tests(root)
    if not run.ok:
        for problem in run.problems:
            click.echo(str(problem), err=True)
        for case, mismatches in run.results:
            for line in mismatches:
                click.echo(f"FAIL {case.label}: {line}", err=True)
        click.echo("not published: the rules or their test cases fail (see `sxzk check` and `sxzk test`)", err=True)
        sys.exit(1)
    bundle = load_bundle(root, checks=table_checks())  # the files just tested, not what the app loaded before the tests ran
    db = connect(current.config()["DATABASE"])
    try:
        row = publish(db, bundle, author=author or getpass.getuser(), note=note, effective_from=effective_from.date())
    finally:
        db.conn.close()
    click.echo(f"published {row['version']}")
    click.echo(f"  effective from {row['effective_from']}, by {row['author']}: {row['note']}")
    click.echo("  every worker of the service serves it from its next request once the date has come")
    if effective_from.date() < current.now().date():
        click.echo("  the date is in the past: decisions already recorded keep their version; decisions made or "
                   "re-checked from now on with an as_of on or after it use this one")


@click.command("reload")
@click.option("--author", default=None, help="who reloads (default: the login name)")
@with_appcontext
def reload_command(author):
    """Serve the working files in every worker of the service, before each one's next request.

    Files that fail `sxzk check` are refused: every worker keeps the version it
    serves and reports the problems (GET /v1/health, GET /v1/rules). A published
    version in force today is served before the working files.
    """
    from service.store.db import connect

    db = connect(current.config()["DATABASE"])
    try:
        result = current.rulebook().reload(db, current.now().date(), author=author or getpass.getuser())
    finally:
        db.conn.close()
    served = current.rulebook().served()
    for p in result["problems"]:
        hint = f" ({p['hint']})" if p.get("hint") else ""
        click.echo(f"{p['file']}:{p['line']}: {p['field']}: {p['message']}{hint}", err=True)
    if result["problems"]:
        click.echo(f"refused: every worker keeps serving {served.bundle.version}", err=True)
        sys.exit(1)
    click.echo(f"working files {result['version']} {'accepted' if result['reloaded'] else 'unchanged'}")
    click.echo(f"  served by every worker from its next request: {served.bundle.version} ({served.source})")


COMMANDS = [publish_command, reload_command]
