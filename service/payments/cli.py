"""`sxzk payments sandbox-callback ORDER_ID`: what the sandbox provider would send when an order is paid.

Prints the callback's URL path, headers (with the HMAC-SHA256 signature) and body, and
a curl command that delivers it; nothing is sent and nothing is stored.
"""
from __future__ import annotations

import json
import secrets
import shlex

import click
from flask.cli import with_appcontext

from service.errors import Msg, NotFound
from service.payments.providers import NOTICE_STATUSES, SandboxProvider, providers_for
from service.web import current


@click.group("payments")
def payments_group():
    """Payment orders and the sandbox provider."""


@payments_group.command("sandbox-callback")
@click.argument("order_id")
@click.option("--transaction-id", help="the provider's transaction id (default: a new random one)")
@click.option("--status", type=click.Choice(NOTICE_STATUSES), default="SUCCESS", show_default=True)
@click.option("--amount-fen", type=int, help="amount paid in fen (default: the order's amount)")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="for the printed curl command")
@with_appcontext
def sandbox_callback(order_id, transaction_id, status, amount_fen, base_url):
    """Print a correctly signed sandbox callback for ORDER_ID (as JSON, with a curl command)."""
    from service.store.db import open_readonly

    db = open_readonly(current.config()["DATABASE"])
    row = db.execute("SELECT id, provider, amount_fen FROM payment_orders WHERE id = ?", [order_id]).fetchone()
    if row is None:
        raise NotFound(Msg("no order %(id)s", id=order_id))
    provider = providers_for(current.config()).get(row[1])
    if not isinstance(provider, SandboxProvider):
        raise click.UsageError(f"the {row[1]} provider is not the sandbox: its callbacks come from the real gateway")
    body, headers = provider.callback({"id": row[0], "amount_fen": row[2]},
                                      transaction_id=transaction_id or f"SBX{secrets.token_hex(10)}",
                                      status=status, amount_fen=amount_fen)
    path = f"/callbacks/payments/{row[1]}"
    curl = " ".join(["curl", "-sS", "-X", "POST", shlex.quote(base_url.rstrip("/") + path)]
                    + [f"-H {shlex.quote(f'{k}: {v}')}" for k, v in headers.items()]
                    + ["--data-binary", shlex.quote(body.decode("utf-8"))])
    click.echo(json.dumps({"path": path, "headers": headers, "body": body.decode("utf-8"), "curl": curl},
                          ensure_ascii=False, indent=2))


COMMANDS = [payments_group]
