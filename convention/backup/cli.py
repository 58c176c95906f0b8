"""``flask backup create --out DIR_OR_FILE`` and ``flask backup restore FILE``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from convention.backup.archive import create_backup, restore_backup
from convention.backup.databases import BackupError
from convention.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded files.")


def _database_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None
    finally:
        db.session.remove()


@backup_cli.command("create")
@click.option("--out", required=True, type=click.Path(), help="A folder (a dated file is made in it) or a file name.")
def create_command(out):
    """Copy the database (online: the app may keep running) and the uploads into one archive."""
    try:
        result = create_backup(
            out, database_url=_database_url(), upload_folder=current_app.config["UPLOAD_FOLDER"], revision=_revision()
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written: {result.summary()}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database and upload folder that are not empty.")
def restore_command(archive, force):
    """Restore an archive into an empty database and upload folder, then check every row count and file."""
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the database the restore replaces
    try:
        result = restore_backup(
            archive, database_url=_database_url(), upload_folder=current_app.config["UPLOAD_FOLDER"], force=force
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    db.engine.dispose()
    click.echo(f"Restored and checked: {result.summary()}")
