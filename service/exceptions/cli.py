"""`sxzk exceptions add | list | revoke | evidence`: what province curriculum staff do from a terminal.

The same checks as the HTTP API (service/exceptions/records.py, the same request schema);
a refusal prints each problem by field and exits 1, storing nothing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from service.errors import ServiceError
from service.exceptions import records
from service.exceptions.schemas import ExceptionRequestSchema, RevokeSchema
from service.store.db import connect
from service.uploads.blobs import BlobStore
from service.web import current
from service.web.auth import Principal

ROLE_CHOICE = click.Choice(["curriculum", "province"])


def _db():
    return connect(current.config()["DATABASE"])


def _refused(exc_messages: dict, message: str) -> None:
    click.echo(message, err=True)
    for field, problems in exc_messages.items():
        for p in problems if isinstance(problems, list) else [problems]:
            click.echo(f"  {field}: {p}", err=True)
    sys.exit(1)


def _run(call):
    try:
        return call()
    except ServiceError as exc:
        _refused(exc.fields, exc.message)
    except ValidationError as exc:
        _refused(exc.messages, "invalid input")


def _show(exc: dict) -> None:
    by = f" ← {exc['by']}" if exc["by"] else ""
    click.echo(f"exception {exc['id']}: {exc['kind']} {exc['course']}{by}  {exc['university']}/{exc['major']}  "
               f"{exc['state']} ({exc['state_label']})  文号 {exc['document_number']}")
    for e in exc["history"]:
        click.echo(f"  {e['at']}  {e['action']:<16} {e['actor']}  {e['reason'] or ''}")


@click.group("exceptions")
def exceptions_group():
    """Per-candidate exceptions (停考课程顶替 substitute, waive by document): docs/exceptions.md."""


@exceptions_group.command("add")
@click.argument("exam_number")
@click.option("--university", required=True)
@click.option("--major", required=True)
@click.option("--kind", required=True, type=click.Choice(["substitute", "waive"]))
@click.option("--course", required=True, help="the plan course it is for")
@click.option("--by", "by", help="substitute: the passed course that stands for --course")
@click.option("--reason", required=True)
@click.option("--document", "document_number", required=True, help="the deciding document's number (文号)")
@click.option("--evidence", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a scan of the document (PDF, JPEG or PNG)")
@click.option("--actor", required=True, help="who records it (shown in the history)")
@click.option("--role", type=ROLE_CHOICE, default="curriculum", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def add_command(exam_number, university, major, kind, course, by, reason, document_number, evidence, actor, role,
                as_json):
    """Record an exception for candidate EXAM_NUMBER (in force at once)."""
    raw = {"university": university, "major": major, "kind": kind, "course": course, "by": by, "reason": reason,
           "document_number": document_number}
    data = _run(lambda: ExceptionRequestSchema().load(raw))
    db, who = _db(), Principal(role, actor)
    blob = evidence.read_bytes() if evidence else None
    if blob is not None:
        _run(lambda: records.check_evidence(blob))  # refused before anything is stored
    exc = _run(lambda: records.record(db, current.rulebook().current(), who, exam_number, data))
    if blob is not None:
        exc = _run(lambda: records.attach_evidence(db, BlobStore(Path(current.config()["BLOB_DIR"])), who,
                                                   exc["id"], blob))
    if as_json:
        click.echo(json.dumps(exc, ensure_ascii=False, indent=2))
    else:
        _show(exc)


@exceptions_group.command("list")
@click.argument("exam_number")
@click.option("--state", type=click.Choice(["in_force", "revoked"]))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_command(exam_number, state, as_json):
    """The candidate's exceptions with their history."""
    items = _run(lambda: records.list_for(_db(), exam_number, state=state))
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for exc in items:
        _show(exc)
    if not items:
        click.echo(f"{exam_number}: no exceptions")


@exceptions_group.command("revoke")
@click.argument("exception_id", type=int)
@click.option("--reason", required=True)
@click.option("--actor", required=True)
@click.option("--role", type=ROLE_CHOICE, default="curriculum", show_default=True)
@with_appcontext
def revoke_command(exception_id, reason, actor, role):
    """Revoke an exception (until an application naming its major is approved)."""
    data = _run(lambda: RevokeSchema().load({"reason": reason}))
    _show(_run(lambda: records.revoke(_db(), Principal(role, actor), exception_id, data["reason"])))


COMMANDS = [exceptions_group]
