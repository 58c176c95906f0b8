"""``flask schedule ...`` commands: thin wrappers over the services; they commit."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext

from convention.core.errors import DomainError
from convention.extensions import db
from convention.schedule.import_parse import parse_schedule
from convention.schedule.importer import import_schedule

schedule_cli = AppGroup("schedule", help="The schedule: import from other tools.")


@schedule_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--edition", "slug", required=True, help="The edition's slug (created if it does not exist).")
@click.option("--draft", is_flag=True, help="Fill the draft grid only; publish no version.")
def import_command(file: Path, slug: str, draft: bool):
    """Import a frab schedule XML or C3VOC schedule JSON into an edition (again: updates)."""
    try:
        source = parse_schedule(file.read_bytes())
        with click.progressbar(length=len(source.events), label=gettext("Importing %(count)d talks", count=len(source.events))) as bar:
            result = import_schedule(source, slug, draft=draft, progress=bar.update)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    values = {"slug": result.edition.slug, "added": result.talks_created, "updated": result.talks_updated,
              "removed": result.talks_unscheduled, "rooms": result.rooms, "speakers": result.speakers}
    click.echo(gettext("Edition %(slug)s created: %(added)d talks added, %(updated)d updated, %(removed)d taken off "
                       "the grid; %(rooms)d rooms, %(speakers)d speakers.", **values) if result.edition_created else
               gettext("Edition %(slug)s updated: %(added)d talks added, %(updated)d updated, %(removed)d taken off "
                       "the grid; %(rooms)d rooms, %(speakers)d speakers.", **values))
    click.echo(gettext("Published version %(number)d.", number=result.version.number) if result.version
               else gettext("Draft only: nothing published."))
