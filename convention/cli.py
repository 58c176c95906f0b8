"""Command-line interface: thin wrappers over services, safe to run twice."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from convention.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
mail_cli = AppGroup("mail", help="The outbox.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address (used to sign in).")
@click.option("--name", prompt=True, help="The admin's full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
def create_admin(email, name, password):
    """Create a confirmed site admin, or make an existing account one (safe to run twice)."""
    from convention.accounts.services import ensure_site_admin
    from convention.core.errors import DomainError

    try:
        user, outcome = ensure_site_admin(email=email, name=name, password=password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(
        {
            "created": f"Created site admin {user.email}.",
            "promoted": f"{user.email} is now a site admin.",
            "unchanged": f"{user.email} is already a site admin; nothing changed.",
        }[outcome]
    )


@mail_cli.command("send-due")
def send_due():
    """Retry every queued message whose next attempt is due (run it from cron without Redis)."""
    from convention.mail.services import send_due_messages

    click.echo(f"Tried {send_due_messages()} message(s).")


@click.command("demo")
@click.option("--no-migrate", is_flag=True, help="Do not bring the schema up to date first.")
def demo_command(no_migrate):
    """Migrate the database and fill it with the demo edition (slug 'demo') if empty."""
    from flask_migrate import upgrade

    from convention.demo import seed_demo

    if not no_migrate:
        upgrade()
    created, logins = seed_demo()
    db.session.commit()
    click.echo("Demo edition created at /demo/." if created else "The demo edition is already there.")
    click.echo("Demo logins (every password below is public: never use them in production):")
    for role, email, password in logins:
        click.echo(f"  {role:<22} {email:<34} {password}")


@click.command("worker")
def worker_command():
    """Run an RQ worker (with its scheduler, for retries) on REDIS_URL."""
    from redis import Redis
    from rq import Worker

    from convention.mail.jobs import QUEUE_NAME

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inline and no worker is needed.")
    Worker([QUEUE_NAME], connection=Redis.from_url(url)).work(with_scheduler=True)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
