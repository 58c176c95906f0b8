"""``flask registration ...`` commands (attached to the blueprint's CLI group): thin
wrappers over the services, safe to run twice."""

from __future__ import annotations

import click

from convention.extensions import db
from convention.registration.services import expire_due_reservations


@click.command("expire")
def expire_command():
    """Release every reservation past its deadline (run it from cron every few minutes)."""
    count = expire_due_reservations()
    db.session.commit()
    click.echo(f"Released {count} expired reservation(s).")
