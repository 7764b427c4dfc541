"""`sxzk reload`, `sxzk publish`, `sxzk export` and `sxzk replay`: serving and publishing rulesets, auditing the log."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click
from flask.cli import ScriptInfo, with_appcontext

from service.store import views
from service.web import auth, current


def _iso_moment(ctx, param, value):
    """An ISO date (2025-06-01) or date-time (2025-06-01T08:00:00+08:00), kept as written."""
    if value is None:
        return None
    try:
        (dt.date if len(value) == 10 else dt.datetime).fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM[:SS][+08:00]") from None
    return value


def _config() -> dict:
    """The service's settings: from the app (tests pass their own), loaded only when a command needs them."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    return {"DATABASE": app.config["DATABASE"], "RULES_ROOT": app.config["RULES_ROOT"]}


@click.command("export")
@click.option("--since", required=True, callback=_iso_moment, help="ISO date or time, inclusive")
@click.option("--until", required=True, callback=_iso_moment, help="ISO date or time, exclusive")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file to write (default: standard output); it holds personal data and is made owner-only")
@with_appcontext
def export_command(since, until, out):
    """Decisions of a period as JSON Lines, with the archived ruleset files they need (for offline replay)."""
    from service.audit.exporting import export, export_to_file
    from service.store.db import open_readonly

    db = open_readonly(current.config()["DATABASE"])
    try:
        if out is None:
            summary = export(db, sys.stdout, since=since, until=until)
        else:
            summary = export_to_file(db, out, since=since, until=until)
    finally:
        db.conn.close()
    if out is not None:
        click.echo(f"{summary['decisions']} decision(s) and {summary['ruleset_versions']} ruleset version(s) "
                   f"written to {out}")


@click.command("replay")
@click.argument("decision_id", required=False)
@click.option("--since", callback=_iso_moment, help="ISO date or time, inclusive")
@click.option("--until", callback=_iso_moment, help="ISO date or time, exclusive")
@click.option("--all", "all_", is_flag=True, help="every decision in the log")
@click.option("--from-export", "export_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="replay a `sxzk export` file instead of the database (offline, on another machine)")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="processes for ranges (default: every core)")
@click.option("--chunk", type=click.IntRange(1), default=500, show_default=True,
              help="decisions per unit of work handed to a process")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def replay_command(decision_id, since, until, all_, export_file, workers, chunk, as_json):
    """Replay one decision, a date range or all, each under the ruleset version it was made with.

    Prints identical / differing counts and, for each differing decision, its
    first difference; exit status 1 when any differs. Ranges use every core.
    """
    from service.audit.replaying import replay_database

    workers = workers or os.cpu_count() or 1
    if export_file is not None:
        if decision_id or since or until or all_:
            raise click.UsageError("--from-export replays the whole file: give no DECISION_ID, --since, --until, --all")
        summary = _replay_export(export_file, workers, chunk)
    else:
        if not (decision_id or since or until or all_):
            raise click.UsageError("give a DECISION_ID, --since/--until, --all or --from-export FILE")
        config = _config()
        summary = _with_progress(lambda progress: replay_database(
            config["DATABASE"], config["RULES_ROOT"], decision_id=decision_id, since=since, until=until,
            workers=1 if decision_id else workers, chunk=chunk, progress=progress), _count(config, decision_id,
                                                                                       since, until))
        if decision_id and summary["total"] == 0:
            click.echo(f"no decision {decision_id}", err=True)
            sys.exit(1)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _print_summary(summary)
    bad = summary["differing"] or (summary.get("integrity") and (summary["integrity"]["altered"]
                                                                 or summary["integrity"]["chain_broken_at"]))
    if bad:
        sys.exit(1)


def _count(config, decision_id, since, until) -> int:
    from service.store import decision_log
    from service.store.db import open_readonly

    db = open_readonly(config["DATABASE"])
    try:
        return decision_log.count(db, decision_id=decision_id, since=since, until=until)
    finally:
        db.conn.close()


def _with_progress(run, total: int):
    """Run with a progress bar on standard error when the run is long."""
    if total <= 500:
        return run(None)
    with click.progressbar(length=total, label="replaying", file=sys.stderr) as bar:
        return run(bar.update)


def _replay_export(path: Path, workers: int, chunk: int) -> dict:
    from service.audit.exporting import ExportError, integrity, read_export
    from service.audit.replaying import replay_export_rows
    from service.config import defaults

    try:
        header, versions, rows = read_export(path)
    except ExportError as exc:
        for line in exc.lines:
            click.echo(f"{path}: {line}", err=True)
        sys.exit(1)
    summary = _with_progress(lambda progress: replay_export_rows(
        versions, rows, defaults()["RULES_ROOT"], workers=workers, chunk=chunk, progress=progress), len(rows))
    summary["integrity"] = integrity(rows)
    summary["export"] = {"since": header["since"], "until": header["until"], "exported_at": header["exported_at"]}
    return summary


def _print_summary(summary: dict) -> None:
    click.echo(f"replayed {summary['total']} decision(s) with {summary['workers']} process(es): "
               f"{summary['identical']} identical, {summary['differing']} differing")
    for item in summary["differences"]:
        first = item["first_difference"] or {}
        click.echo(f"  {item['id']}: {first.get('path')}: recorded {_short(first.get('recorded'))}, "
                   f"replayed {_short(first.get('replayed'))}")
    check = summary.get("integrity")
    if check:
        click.echo(f"hashes: {check['rows_checked']} row(s) checked, {len(check['altered'])} altered, "
                   f"{len(check['chain_broken_at'])} chain break(s)")
        for rid in check["altered"]:
            click.echo(f"  {rid}: the row's content does not match its hash (altered)")
        for rid in check["chain_broken_at"]:
            click.echo(f"  {rid}: does not link to the row before it")


def _short(value, limit=120) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit - 1] + "…"


@click.command("views")
@click.option("--exam-number", help="whose data (准考证号)")
@click.option("--actor", help="who, as the log writes it (e.g. county:小店区招办 李老师)")
@click.option("--role", type=click.Choice(auth.ROLES))
@click.option("--what", type=click.Choice(sorted(views.WHAT)))
@click.option("--since", callback=_iso_moment, help="ISO date or time, inclusive")
@click.option("--until", callback=_iso_moment, help="ISO date or time, exclusive")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@with_appcontext
def views_command(exam_number, actor, role, what, since, until, limit, offset):
    """Who viewed personal data (identity photos, graduation photos, scans, unmasked ID numbers), newest first, as JSON."""
    from service.store.db import open_readonly

    db = open_readonly(current.config()["DATABASE"])
    try:
        page = views.page(db, limit=limit, offset=offset, exam_number=exam_number, actor=actor, role=role,
                          what=what, since=since, until=until)
    finally:
        db.conn.close()
    click.echo(json.dumps(page, ensure_ascii=False, indent=2))


COMMANDS = [export_command, replay_command, views_command]
