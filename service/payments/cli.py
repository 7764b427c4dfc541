"""`sxzk payments …`: the sandbox provider's callbacks, and the refunds owed and paid out.

``sandbox-callback`` prints the callback's URL path, headers (with the HMAC-SHA256
signature) and body, and a curl command that delivers it; nothing is sent and nothing
is stored.  ``refunds`` lists the payments that could not be applied; ``refund-paid``
records one paid back through the provider (province staff, as on the API).
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


@payments_group.command("refunds")
@click.option("--status", type=click.Choice(["refund_owed", "refunded"]), help="only refunds in this status")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@with_appcontext
def refunds_command(status, limit, offset):
    """待退款 / 已退款: payments that could not be applied (already paid, cancelled, another amount), as JSON."""
    from service.payments import orders
    from service.store.db import open_readonly

    db = open_readonly(current.config()["DATABASE"])
    query = {"limit": limit, "offset": offset, **({"status": status} if status else {})}
    click.echo(json.dumps(orders.refunds_owed(db, query), ensure_ascii=False, indent=2))


@payments_group.command("refund-paid")
@click.argument("refund_id", type=int)
@click.option("--reference", required=True, help="the provider's refund reference (退款单号)")
@click.option("--actor", required=True, help="the province staff member who paid it out (shown in its history)")
@click.option("--note", help="anything the next reader should know")
@with_appcontext
def refund_paid_command(refund_id, reference, actor, note):
    """Record REFUND_ID paid back through the provider; prints the refund with its history."""
    import re

    from service.payments import orders
    from service.store.db import connect, open_readonly
    from service.web import auth

    if not re.fullmatch(orders.REFUND_REFERENCE, reference):
        raise click.BadParameter("4-64 letters, digits, - or _ (the provider's refund number)", param_hint="--reference")
    path = current.config()["DATABASE"]
    open_readonly(path).conn.close()  # no database: say so, never create an empty one to record into
    db = connect(path)
    refund = orders.pay_out_refund(db, refund_id, auth.Principal("province", actor), reference=reference, note=note)
    click.echo(json.dumps(refund, ensure_ascii=False, indent=2))


COMMANDS = [payments_group]
