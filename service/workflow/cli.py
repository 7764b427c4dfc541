"""`sxzk candidates import` and `sxzk demo load`."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth import Principal
from ..errors import ServiceError
from ..store.db import connect, write_transaction
from . import candidates, diploma

ROOT = Path(__file__).resolve().parent.parent.parent
OPERATOR = Principal("province", "sxzk-cli")


def _db():
    return connect(current_app.config["DATABASE"])


@click.group("candidates")
def candidates_group():
    """Candidates and their passed courses."""


@candidates_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path):
    """Import candidates from JSON or CSV; any bad row (reported with its line) imports nothing."""
    try:
        result = candidates.import_candidates(_db(), candidates.parse_file(path.read_text(encoding="utf-8")))
    except ServiceError as exc:
        click.echo(f"{path}: {exc.message}", err=True)
        for where, problem in exc.fields.items():
            click.echo(f"  {where}: {json.dumps(problem, ensure_ascii=False)}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{path}: imported {result['candidates']} candidate(s), {result['courses']} course result(s)")


@click.group("demo")
def demo_group():
    """Demo data for `make run` (never on a production database)."""


@demo_group.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=ROOT / "fixtures" / "candidates.json", show_default=True)
@with_appcontext
def demo_load(path):
    """Import the fixture candidates, verify the identities they mark, authorise their 学信网 records."""
    db = _db()
    data = json.loads(path.read_text(encoding="utf-8"))
    result = candidates.import_candidates(db, candidates.parse_file(json.dumps(data["candidates"])))
    demo = data.get("demo", {})
    chsi = diploma.ChsiSandbox(ROOT / "fixtures" / "chsi_sandbox.json")
    with write_transaction(db):
        for number in demo.get("identity_verified", []):
            if candidates.get_candidate(db, number)["identity_status"] not in candidates.VERIFIED:
                candidates.record_identity(db, number, "online_passed", "demo_verify", OPERATOR, "demo data")
        for number in demo.get("chsi_authorised", []):
            person = candidates.get_candidate(db, number)
            diploma.store(db, number, chsi.verify(person["id_number"], "demo"), chsi.name)
    click.echo(f"demo: {result['candidates']} candidate(s), {len(demo.get('identity_verified', []))} verified, "
               f"{len(demo.get('chsi_authorised', []))} prior diploma(s)")


COMMANDS = [candidates_group, demo_group]
