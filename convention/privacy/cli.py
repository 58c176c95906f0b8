"""``flask privacy ...`` commands: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

import click

from convention.extensions import db
from convention.privacy.retention import anonymise_due


@click.command("anonymise-due")
def anonymise_due_command():
    """Anonymise the attendee data of every edition past its retention date (cron, daily)."""
    count = anonymise_due()
    db.session.commit()
    click.echo(f"Anonymised {count} edition(s).")
