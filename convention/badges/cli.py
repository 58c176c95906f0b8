"""``flask badges ...``: print sheets from the command line (a thin wrapper; it commits)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import gettext, ngettext

from convention.badges.sheets import make_sheet
from convention.core.errors import DomainError
from convention.editions.models import Edition
from convention.extensions import db

PROGRESS_EVERY = 500  # badges between two progress lines
badges_cli = AppGroup("badges", help="Badges: print sheets.")


@badges_cli.command("sheet")
@click.option("--edition", "slug", required=True, help="The edition's slug.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write.")
@click.option("--only-unprinted", is_flag=True, help="Only badges not printed yet, or marked for reprinting.")
@click.option("--ticket-type", "ticket_type_id", type=int, default=None, help="Only this ticket type (its id).")
def sheet_command(slug: str, out: Path, only_unprinted: bool, ticket_type_id: int | None):
    """Write an A4 print sheet (8 badges a page) of the edition's badges and mark them printed."""
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise click.ClickException(gettext("There is no edition %(slug)s.", slug=slug))

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            click.echo(gettext("Badges: %(done)d of %(total)d", done=done, total=total), err=True)

    partial = out.with_name(out.name + ".part")  # renamed once whole: no half sheet under the asked name
    try:
        with partial.open("wb") as file:
            result = make_sheet(edition, file, only_unprinted=only_unprinted, ticket_type_id=ticket_type_id,
                                on_progress=progress)
        partial.replace(out)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        partial.unlink(missing_ok=True)
    db.session.commit()  # only once the file is written: a failed write leaves them unprinted
    click.echo(ngettext("Wrote %(num)d badge to %(file)s.", "Wrote %(num)d badges to %(file)s.", result.badges,
                        file=str(out)))
