"""Command-line interface: thin wrappers over services, safe to run twice."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from convention.backup.cli import backup_cli
from convention.badges.cli import badges_cli
from convention.checkin.demo import DEMO_DEVICE_NAME, DEMO_DEVICE_TOKEN, device_token_present
from convention.extensions import db
from convention.schedule.cli import schedule_cli
from convention.tokens.cli import tokens_cli

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
@click.option("--limit", default=500, show_default=True, help="At most this many messages per run.")
def send_due(limit):
    """Send every queued message whose next attempt is due (cron, every few minutes)."""
    from convention.mail.services import send_due_messages

    click.echo(send_due_messages(limit=limit).summary())


@mail_cli.command("test")
@click.option("--to", "recipient", required=True, help="Where to send the test message.")
def send_test(recipient):
    """Queue a test message through the outbox, to check the mail settings."""
    from convention.mail.services import queue_email

    message = queue_email("test_message", to=recipient, context={"base_url": current_app.config["BASE_URL"]})
    db.session.commit()  # dispatches: inline, or to the worker with REDIS_URL
    db.session.refresh(message)
    click.echo(f"Message {message.id} to {recipient}: {message.status.value}"
               + (f" ({message.last_error})" if message.last_error else "") + ".")


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
    if current_app.config.get("REQUIRE_ORGANIZER_2FA"):
        click.echo(
            "Organizer and admin pages ask for two-factor sign-in first: the site admin and the organizer\n"
            "set it up on their first visit with any authenticator app. To look around without one, run\n"
            "the demo with REQUIRE_ORGANIZER_2FA=0."
        )
    if device_token_present():
        click.echo(f"Door device token ({DEMO_DEVICE_NAME}, scope checkin; public too): {DEMO_DEVICE_TOKEN}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty instead of waiting for jobs.")
def worker_command(burst):
    """Run an RQ worker with its scheduler (retries are scheduled jobs) on REDIS_URL."""
    import os

    from rq import Worker

    from convention.mail.jobs import get_queue, schedule_queued_messages

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inline and no worker is needed.")
    from convention.registration.jobs import schedule_next_expiry

    queue = get_queue()
    click.echo(f"Outbox: {schedule_queued_messages()} queued message(s) scheduled.")
    deadline = schedule_next_expiry()
    click.echo(f"Reservations: release scheduled at {deadline:%Y-%m-%d %H:%M:%S} UTC." if deadline
               else "Reservations: none open.")
    from convention.privacy.jobs import schedule_next_anonymisation

    click.echo(f"Retention: next anonymisation run at {schedule_next_anonymisation():%Y-%m-%d %H:%M} UTC.")
    # Each job runs in a forked child: none may share a pooled connection with another.
    engine = db.engine
    engine.dispose()
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    Worker([queue], connection=queue.connection).work(with_scheduler=True, burst=burst)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(schedule_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(badges_cli)
