"""`sxzk candidates import FILE`, `sxzk demo load`, `sxzk blobs gc`, `sxzk sanctions`: thin commands over the library."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from service import translations
from service.candidates import demo
from service.candidates import importing as candidate_import
from service.errors import ServiceError
from service.sanctions import records as sanction_records
from service.sanctions.schemas import SanctionSchema
from service.store.db import connect, write_transaction
from service.uploads import blob_gc
from service.uploads.blobs import BlobStore
from service.web import current
from service.web.auth import Principal


def _db():
    return connect(current.config()["DATABASE"])


@click.group("candidates")
def candidates_group():
    """Candidates and their course results."""


@candidates_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--operator", default="sxzk candidates import", show_default=True,
              help="who imports (shown in each candidate's history)")
@with_appcontext
def import_command(path, operator):
    """Import candidates from a CSV or JSON file (told apart by content).

    Every row is checked first; if any is bad, each problem is printed as
    FILE:LINE: field: message and nothing is imported (exit status 1).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"{path}: not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel)", err=True)
        sys.exit(1)
    try:
        result = candidate_import.import_candidates(_db(), candidate_import.parse_file(text),
                                                    actor=Principal("province", operator),
                                                    catalogue=current.rulebook().current().catalogue)
    except ServiceError as exc:
        click.echo(f"{path}: {translations.text(exc)}", err=True)
        for p in exc.extra.get("problems") or _from_fields(exc.fields):
            where = f"{path}:{p['line']}" if p.get("line") else str(path)
            click.echo(f"{where}: {p['field']}: {p['message']}", err=True)
        sys.exit(1)
    click.echo(f"{path}: {result['candidates']} candidate(s) — {result['created']} new, {result['updated']} updated, "
               f"{result['unchanged']} unchanged; {result['courses']} course result(s), "
               f"{result['sanctions']} new 延迟毕业 record(s)")


def _from_fields(fields: dict) -> list[dict]:
    out = []
    for where, problems in fields.items():
        line = int(where[5:]) if where.startswith("line ") and where[5:].isdigit() else None
        items = problems.items() if isinstance(problems, dict) else [("(file)", problems)]
        for field, messages in items:
            for m in messages if isinstance(messages, list) else [messages]:
                out.append({"line": line, "field": field, "message": m if isinstance(m, str) else json.dumps(m)})
    return out


@click.group("demo")
def demo_group():
    """Demo data for `make run` (never on a production database)."""


@demo_group.command("load")
@with_appcontext
def demo_load():
    """Import fixtures/candidates.json, verify the demo identities (sandbox), authorise their 学信网 records.

    Idempotent: running it again changes nothing.
    """
    result = demo.load_demo(_db(), current.config()["BLOB_DIR"], catalogue=current.rulebook().current().catalogue)
    states = {}
    for status in result["identity"].values():
        states[status] = states.get(status, 0) + 1
    click.echo(f"demo: {result['candidates']} candidate(s) ({result['created']} new, {result['updated']} updated); "
               f"photos uploaded for {len(result['photos_uploaded'])}, 学信网 records for "
               f"{len(result['prior_diplomas_authorised'])}; identity: "
               + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))


@click.group("blobs")
def blobs_group():
    """Uploaded files (photos, scan archives) kept outside the database."""


@blobs_group.command("gc")
@click.option("--grace-hours", type=click.FloatRange(min=1), default=blob_gc.DEFAULT_GRACE.total_seconds() / 3600,
              show_default=True, help="keep unreferenced files younger than this (a request may not have committed yet)")
@click.option("--dry-run", is_flag=True, help="only count what would be removed")
@with_appcontext
def blobs_gc(grace_hours, dry_run):
    """Remove stored files no row refers to any more (failed uploads, replaced photos)."""
    db = _db()
    try:
        result = blob_gc.collect(db, BlobStore(Path(current.config()["BLOB_DIR"])),
                                 grace=dt.timedelta(hours=grace_hours), dry_run=dry_run)
    finally:
        db.conn.close()
    click.echo(json.dumps({**result, "removed": len(result["removed"])}, ensure_ascii=False, indent=2))


@click.group("sanctions")
def sanctions_group():
    """延迟毕业 records (《国家教育考试违规处理办法》): a decision dated inside one is not eligible."""


@sanctions_group.command("add")
@click.argument("exam_number")
@click.option("--from", "start", required=True, help="first day of the delay, YYYY-MM-DD")
@click.option("--until", required=True, help="last day of the delay (included), YYYY-MM-DD")
@click.option("--reason", required=True, help="the violation, as the decision document states it")
@click.option("--document", "document_no", required=True, help="处理决定文号")
@click.option("--actor", required=True, help="the province staff member recording it (shown in the history)")
@with_appcontext
def sanctions_add(exam_number, start, until, reason, document_no, actor):
    """Record a 延迟毕业 for one candidate; every problem is printed, nothing is stored then (exit status 1)."""
    from marshmallow import ValidationError

    try:
        data = SanctionSchema().load({"from": start, "until": until, "reason": reason, "document_no": document_no})
    except ValidationError as exc:
        for field, messages in sorted(exc.messages.items()):
            for m in messages:
                click.echo(f"{field}: {m}", err=True)
        sys.exit(1)
    db = _db()
    try:
        with write_transaction(db):
            added = sanction_records.add(db, exam_number, data, Principal("province", actor), source="staff")
    except ServiceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    finally:
        db.conn.close()
    if added is None:
        click.echo(f"{exam_number}: {document_no} is already recorded, nothing changed")
    else:
        click.echo(f"{exam_number}: 延迟毕业 {added['from']} – {added['until']} ({document_no}) recorded by province:{actor}")


@sanctions_group.command("list")
@click.argument("exam_number")
@with_appcontext
def sanctions_list(exam_number):
    """The candidate's 延迟毕业 records as JSON."""
    db = _db()
    try:
        click.echo(json.dumps(sanction_records.shown(db, exam_number), ensure_ascii=False, indent=2))
    finally:
        db.conn.close()


COMMANDS = [candidates_group, demo_group, blobs_group, sanctions_group]
