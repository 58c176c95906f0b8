"""``flask badges sheet``: the architecture's command-line contract."""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.models import Badge
from tests.badges.helpers import decoded_codes
from tests.checkin.helpers import registration
from tests.factories import make_edition, make_user


def test_the_sheet_command_writes_every_badge_then_only_the_unprinted_ones(runner, db, tmp_path):
    edition = make_edition(organizer=make_user(), slug="cli-edition")
    people = [registration(edition, name="Person 0")[0]]
    people += [registration(edition, name=f"Person {n}", ticket_type=people[0].ticket_type)[0] for n in range(1, 3)]
    codes = set(db.session.scalars(sa.select(Badge.code)))
    assert len(codes) == 4  # three people and the organizer's staff badge

    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["badges", "sheet", "--edition", "cli-edition", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote 4 badges to {out}." in result.output
    assert {code for page in decoded_codes(out.read_bytes()) for code in page} == codes

    again = tmp_path / "unprinted.pdf"
    result = runner.invoke(args=["badges", "sheet", "--edition", "cli-edition", "--out", str(again), "--only-unprinted"])
    assert result.exit_code == 0 and "Wrote 0 badges" in result.output
    newcomer, _code = registration(edition, name="Late Comer", ticket_type=people[0].ticket_type)
    result = runner.invoke(args=["badges", "sheet", "--edition", "cli-edition", "--out", str(again), "--only-unprinted",
                                 "--ticket-type", str(people[0].ticket_type_id)])
    assert result.exit_code == 0 and "Wrote 1 badge to" in result.output
    newcomer_code = db.session.scalar(sa.select(Badge.code).where(Badge.attendee_id == newcomer.id))
    assert decoded_codes(again.read_bytes()) == [[newcomer_code]]


def test_the_sheet_command_refuses_an_unknown_edition_or_ticket_type(runner, db, tmp_path):
    make_edition(organizer=make_user(), slug="cli-edition")
    result = runner.invoke(args=["badges", "sheet", "--edition", "nope", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "There is no edition nope." in result.output
    result = runner.invoke(args=["badges", "sheet", "--edition", "cli-edition", "--out", str(tmp_path / "x.pdf"),
                                 "--ticket-type", "999999"])
    assert result.exit_code != 0 and "There is no such ticket type." in result.output
    assert not (tmp_path / "x.pdf").exists()
