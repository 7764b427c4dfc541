"""`sxzk transfer-out approved` (the rules files are checked by `sxzk check`, with the rest of the bundle)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from service.web import current


@click.group("transfer-out")
def transfer_out_group():
    """Inter-provincial transfer out (省际转出)."""


@transfer_out_group.command("approved")
@click.option("--round", "round_", help="only this 省际转出 round, e.g. 2026H2")
@with_appcontext
def approved(round_):
    """Approved transfers with their courses, one JSON object a line, for the target provinces."""
    from service.store.db import open_readonly

    db = open_readonly(current.config()["DATABASE"])
    sql = ("SELECT id, exam_number, round, target_province, target_exam_number, courses, updated_at "
           "FROM transfer_outs WHERE state = 'approved'" + (" AND round = ?" if round_ else "") + " ORDER BY id")
    for row in db.execute(sql, [round_] if round_ else []).fetchall():
        courses = json.loads(row[5])["transferable"]
        click.echo(json.dumps({"id": row[0], "exam_number": row[1], "round": row[2], "target_province": row[3],
                               "target_exam_number": row[4], "approved_at": row[6],
                               "courses": [{k: c[k] for k in ("code", "name", "score", "date")} for c in courses]},
                              ensure_ascii=False))


COMMANDS = [transfer_out_group]
