"""The `sxzk` command: thin commands over the library, for operators, curriculum staff and auditors.

Every command is also reachable as `flask --app service.app:create_app <command>`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from service import translations
from service.errors import ServiceError
from service.web import current


def _db():
    from service.store.db import connect

    return connect(current.config()["DATABASE"])


def _rulebook():
    return current.rulebook()


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or migrate the database file."""
    from service.store import migrations
    from service.store.db import connect

    db = connect(current.config()["DATABASE"], migrate_schema=False)
    applied = migrations.migrate(db)
    total = len(migrations.applied(db))
    click.echo(f"database {current.config()['DATABASE']}: {len(applied)} migration(s) applied, {total} in all")


@click.group("credentials")
def credentials_group():
    """Issue, list, revoke and rotate API credentials."""


def _expiry_option(command):
    return click.option("--expires-in-days", type=click.IntRange(min=1), default=365, show_default=True,
                        help="the token stops working after this many days")(command)


def _expiry(days: int):
    import datetime as dt

    from service import clock

    return clock.now() + dt.timedelta(days=days)


@credentials_group.command("add")
@click.option("--role", required=True, help="portal | county | city | province | auditor | curriculum")
@click.option("--actor", required=True, help="who holds it (shown in audit trails)")
@click.option("--district", help="county staff: their 区县 (太原市小店区); city staff: their 地级市 (太原市)")
@_expiry_option
@with_appcontext
def credentials_add(role, actor, district, expires_in_days):
    """Create a credential and print its token once."""
    from service.web import auth

    _check_area(role, district)
    click.echo(auth.add_credential(_db(), role, actor, district, expires_at=_expiry(expires_in_days)))


@credentials_group.command("list")
@with_appcontext
def credentials_list():
    """Every credential: id, actor, role, district, created, expires, revoked, last used (never a token)."""
    from service.web import credentials

    _echo_json(credentials.listing(_db()))


@credentials_group.command("revoke")
@click.argument("credential_id")
@with_appcontext
def credentials_revoke(credential_id):
    """Revoke a credential (its id from `credentials list`): its token is refused from the next request on."""
    from service.web import credentials

    _echo_json(credentials.revoke(_db(), credential_id))


@credentials_group.command("rotate")
@click.argument("credential_id")
@_expiry_option
@with_appcontext
def credentials_rotate(credential_id, expires_in_days):
    """Issue a new token for the same holder and revoke the old one; print the new token once."""
    from service.web import credentials

    click.echo(credentials.rotate(_db(), credential_id, _expiry(expires_in_days)))


def _check_area(role: str, area: str | None) -> None:
    """A county credential names a district of districts.yaml, a city one a city of it."""
    from service.errors import N_, InvalidInput, Msg
    from service.reference import districts

    table = districts.table()
    known = {"county": set(table), "city": {d.city for d in table.values()}}.get(role)
    if known is not None and area not in known:
        raise InvalidInput(Msg("unknown district or city %(area)s for role %(role)s", area=area, role=role),
                           fields={"district": [Msg("one of %(allowed)s", allowed=", ".join(sorted(known)))
                                                if role == "city" else
                                                N_("a full 区县 name from GET /v1/districts, e.g. 太原市小店区")]})


@credentials_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def credentials_load(path):
    """Load fixed demo tokens from a YAML file (demo and test databases only)."""
    import yaml

    from service.web import auth

    db = _db()
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["credentials"]
    for e in entries:
        _check_area(e["role"], e.get("district"))
    for e in entries:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    click.echo(f"{len(entries)} credential(s) loaded")


def _setting(key: str):
    # backup and restore run without creating the app: creating it would create (and migrate) the
    # very database file a restore is about to put in place
    from service.config import defaults

    return lambda: defaults()[key]


@click.command("verify-log")
@click.option("--checkpoints", "checkpoints_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="signed checkpoints kept elsewhere (JSON Lines from `sxzk checkpoint --export`)")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the public key the checkpoints were signed with (needed with --checkpoints)")
@with_appcontext
def verify_log_command(checkpoints_file, public_key):
    """Walk every hash chain (decisions; application, candidate and transfer-out histories); with
    --checkpoints, compare each with the signed heads kept elsewhere. The first row that disagrees is named."""
    from service.store import chains, checkpoints
    from service.store.db import open_readonly

    if checkpoints_file and public_key is None:
        raise click.UsageError("--checkpoints needs --public-key")
    db = open_readonly(current.config()["DATABASE"])
    result = chains.verify_all(db)
    if result["ok"] and checkpoints_file:
        kept = [json.loads(line) for line in checkpoints_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        result = checkpoints.verify(db, kept, checkpoints.load_public(public_key)) | {"checkpoints": len(kept)}
    _echo_json(result)
    if not result["ok"]:
        sys.exit(1)


@click.group("keys")
def keys_group():
    """The key that signs checkpoints of the decision log and the histories."""


@keys_group.command("init")
@click.option("--key", "key_path", default=_setting("SIGNING_KEY"), show_default="SXZK_SIGNING_KEY",
              type=click.Path(dir_okay=False, path_type=Path))
def keys_init(key_path):
    """Create the Ed25519 signing key (mode 0600) and KEY.pub for auditors; an existing key is never replaced."""
    from service.store import checkpoints

    _echo_json(checkpoints.init_keys(key_path))


@click.command("checkpoint")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              help="also write every checkpoint as JSON Lines (for the auditors' own store)")
@with_appcontext
def checkpoint_command(export_path):
    """Sign the head of every chain now with the key of SXZK_SIGNING_KEY and keep the checkpoints.

    Run it from cron (hourly, say) and after each batch: a rewrite is caught back to the last checkpoint.
    """
    from service import clock
    from service.store import checkpoints
    from service.store.db import write_transaction

    key = checkpoints.load_private(current.config()["SIGNING_KEY"])
    db = _db()
    with write_transaction(db):
        made = checkpoints.make_all(db, key, at=clock.now().isoformat(timespec="seconds"))
    if export_path:
        export_path.write_text("".join(json.dumps(cp, ensure_ascii=False) + "\n" for cp in checkpoints.listing(db)),
                               encoding="utf-8")
    _echo_json(made)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--database", default=_setting("DATABASE"), show_default="SXZK_DATABASE", type=click.Path(dir_okay=False))
@click.option("--blob-dir", default=_setting("BLOB_DIR"), show_default="SXZK_BLOB_DIR", type=click.Path(file_okay=False))
def backup_command(dest, database, blob_dir):
    """Copy the live database (while it serves), the photos and scans it refers to and a manifest into DEST."""
    from service.audit import backup

    manifest = backup.backup(database, blob_dir, dest)
    _echo_json({k: manifest[k] for k in ("created_at", "database", "decision_log", "chains", "counts",
                                         "missing_blobs")} | {"blobs": len(manifest["blobs"])})
    if manifest["missing_blobs"] or not manifest["chains"]["ok"]:
        sys.exit(1)


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--database", default=_setting("DATABASE"), show_default="SXZK_DATABASE", type=click.Path(dir_okay=False))
@click.option("--blob-dir", default=_setting("BLOB_DIR"), show_default="SXZK_BLOB_DIR", type=click.Path(file_okay=False))
@click.option("--replace", is_flag=True, help="overwrite an existing database (stop the service first)")
def restore_command(src, database, blob_dir, replace):
    """Check a backup's manifest (nothing is written if anything is off), then restore it and verify the log."""
    from service.audit import backup

    result = backup.restore(src, database, blob_dir, replace=replace)
    _echo_json(result)
    if result["missing_blobs"] or not result["chains"]["ok"]:
        sys.exit(1)


# `replay` (parallel, first differences, offline from an export) is the tools area's: service/audit/cli.py
COMMANDS = [init_db_command, credentials_group, verify_log_command, keys_group, checkpoint_command,
            backup_command, restore_command]


def all_commands() -> list:
    """Every feature's commands, registered explicitly."""
    from service.audit import cli as audit_commands
    from service.candidates import cli as candidates_cli
    from service.exceptions import cli as exceptions_cli
    from service.payments import cli as payments_cli
    from service.tools import commands, lifecycle
    from service.transfer import cli as transfer_cli

    return [*COMMANDS, *candidates_cli.COMMANDS, *payments_cli.COMMANDS, *transfer_cli.COMMANDS,
            *commands.COMMANDS, *lifecycle.COMMANDS, *audit_commands.COMMANDS, *exceptions_cli.COMMANDS]


def init_app(app) -> None:
    for command in all_commands():
        if command.name not in app.cli.commands:
            app.cli.add_command(command)


def _create_app():
    from service.app import create_app

    # no database is made or migrated on start: `--help` and read-only commands leave no file behind;
    # `init-db` creates it and commands that write open it through connect()
    return create_app({"MIGRATE_AT_START": False})


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main():
    """sxzk: graduation-eligibility service of Shanxi's self-study examinations."""


def run() -> None:
    # Registered on the group itself, not only on app.cli, so that commands reading
    # files only (`check` of rules that do not load) run without creating the app.
    for command in all_commands():
        if command.name not in main.commands:
            main.add_command(command)
    try:
        main(prog_name="sxzk")
    except ServiceError as exc:
        click.echo(f"error: {translations.text(exc)}", err=True)
        for problem in exc.extra.get("problems", []):
            click.echo(f"  {problem}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # python -m service.cli (python -m service runs the same)
    run()
