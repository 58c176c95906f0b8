"""``flask tokens ...``: thin wrappers over the services; they commit."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from convention.core.errors import DomainError
from convention.editions.models import Edition
from convention.extensions import db
from convention.tokens.models import TokenScope
from convention.tokens.services import create_token, revoke_token

tokens_cli = AppGroup("tokens", help="API tokens for devices and clients (door scanners, read APIs).")


def _edition(slug: str) -> Edition:
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise click.ClickException(f"There is no edition with the slug {slug!r}.")
    return edition


@tokens_cli.command("create")
@click.option("--edition", "slug", required=True, help="The edition's slug.")
@click.option(
    "--scope", required=True, type=click.Choice([scope.value for scope in TokenScope]), help="What the token may do."
)
@click.option("--name", default="Device", show_default=True, help="The device or client, logged with each scan.")
def create_command(slug: str, scope: str, name: str):
    """Create a token and print it once (it is stored hashed: it cannot be shown again)."""
    try:
        issued = create_token(_edition(slug), scope=scope, name=name)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(issued.secret)
    click.echo(
        f"Token {issued.token.id} ({issued.token.name}, {scope}) created; this is the only time it is shown.", err=True
    )


@tokens_cli.command("revoke")
@click.option("--edition", "slug", required=True, help="The edition's slug.")
@click.argument("token_id", type=int)
def revoke_command(slug: str, token_id: int):
    """Revoke a token by its id (safe to run twice)."""
    try:
        token = revoke_token(_edition(slug), token_id)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Token {token.id} ({token.name}) is revoked.")
