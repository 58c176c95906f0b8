"""``flask payments ...`` commands (on the blueprint's CLI group): thin, safe to run twice."""

from __future__ import annotations

import click

from convention.extensions import db
from convention.payments.reconcile import checkouts_to_reconcile, reconcile_checkout
from convention.payments.stripe_gateway import GatewayError


@click.command("reconcile")
def reconcile_command():
    """Re-read the open Checkout Sessions from Stripe and apply what they say (events missed in an outage)."""
    ids = checkouts_to_reconcile()
    click.echo(f"{len(ids)} open checkout session(s) to check.")
    failures = 0
    for number, checkout_id in enumerate(ids, start=1):
        try:
            outcome = reconcile_checkout(checkout_id)
            db.session.commit()
        except GatewayError as error:
            db.session.rollback()
            failures += 1
            click.echo(f"  [{number}/{len(ids)}] checkout {checkout_id}: Stripe error, left for the next run ({error})")
            continue
        code = outcome.order.code if outcome.order is not None else "-"
        click.echo(f"  [{number}/{len(ids)}] order {code}: {outcome.result} {outcome.detail}".rstrip())
    if failures:
        raise click.ClickException(f"{failures} session(s) could not be read from Stripe; run again later.")
