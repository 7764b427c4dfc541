"""`sxzk plans import|export`: exam plans to and from the 专业考试计划 tables curriculum offices keep."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from service.config import defaults

ROOT_OPTION = click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
                           help="folder holding curricula/ and rulesets/ (default: the service's rules)")


@click.group("plans")
def plans_group():
    """Exam plans as spreadsheets (.xlsx, one sheet per plan, or .csv): import and export."""


@plans_group.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROOT_OPTION
@click.option("--replace", is_flag=True, help="overwrite a plan file that exists already")
@click.option("--check", "check_only", is_flag=True, help="check only; write nothing")
def import_command(table, root, replace, check_only):
    """Write the plan YAML of each sheet of TABLE and add its new courses to the catalogue.

    Nothing is written unless the rules, with the new files, pass `sxzk check`;
    each problem is named by sheet, row and column (exit 1).
    """
    from service.errors import RulesetError
    from service.tools.plans.importing import CATALOGUE, import_file

    root = root or Path(defaults()["RULES_ROOT"])
    try:
        result = import_file(root, table, replace=replace)
    except RulesetError as exc:
        click.echo("\n".join(str(p) for p in exc.problems), err=True)
        click.echo("the rules do not load: run `sxzk check`", err=True)
        sys.exit(1)
    for problem in result.problems:
        click.echo(str(problem))
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s); nothing written", err=True)
        sys.exit(1)
    verb = "would write" if check_only else "wrote"
    for rel, text in result.plans.items():
        if not check_only:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        click.echo(f"{verb} {rel}")
    if result.catalogue is not None:
        if not check_only:
            (root / CATALOGUE).write_text(result.catalogue, encoding="utf-8")
        click.echo(f"{verb} {CATALOGUE}: {len(result.added)} course(s) added ({', '.join(result.added)})")
    click.echo(f"ok: {len(result.plans)} plan(s) pass `sxzk check`")


@plans_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.argument("plans", nargs=-1)
@ROOT_OPTION
def export_command(out, plans, root):
    """Write the official table of PLANS (university/major@edition; default: every plan) to OUT (.xlsx or .csv).

    An .xlsx holds one sheet per plan; a .csv one plan.
    """
    from service.errors import RulesetError
    from service.rules.loader import load_bundle
    from service.tools.plans.export import plan_sheet
    from service.tools.plans.sheets import SheetFileError, write_sheets

    try:
        bundle = load_bundle(root or Path(defaults()["RULES_ROOT"]))
    except RulesetError as exc:
        click.echo("\n".join(str(p) for p in exc.problems), err=True)
        click.echo("the rules do not load: run `sxzk check`", err=True)
        sys.exit(1)
    by_key = {p.key: p for p in bundle.plans}
    unknown = [k for k in plans if k not in by_key]
    if unknown:
        raise click.BadParameter(f"no plan {', '.join(unknown)}; plans: {', '.join(sorted(by_key))}",
                                 param_hint="PLANS")
    chosen = [by_key[k] for k in plans] or sorted(bundle.plans, key=lambda p: p.key)
    try:
        write_sheets(out, [plan_sheet(bundle, p) for p in chosen])
    except SheetFileError as exc:
        raise click.BadParameter(str(exc), param_hint="OUT") from None
    click.echo(f"wrote {out}: {', '.join(p.key for p in chosen)}")
