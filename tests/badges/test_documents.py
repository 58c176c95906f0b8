"""What a badge says of its person: the role from the edition's data, in words."""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.documents import attendee_faces, role_book
from convention.cfp.states import ProposalState
from convention.editions.models import Role
from convention.extensions import db
from convention.registration.models import Attendee
from tests.cfp.helpers import make_proposal
from tests.checkin.helpers import registration
from tests.factories import give_role, make_edition, make_user


def _face_of(edition, user):
    attendee = db.session.scalar(sa.select(Attendee).where(Attendee.user_id == user.id, Attendee.edition_id == edition.id))
    (face,) = attendee_faces(db.session, attendee, edition)
    return face


def test_roles_come_from_talks_committee_and_team_strongest_first(app, db):
    organizer = make_user(email="org@example.org")
    edition = make_edition(organizer=organizer)
    speaker, reviewer, door = (make_user(email=f"{n}@example.org") for n in ("speaker", "reviewer", "door"))
    give_role(edition, reviewer, Role.REVIEWER)
    give_role(edition, door, Role.CHECKIN)
    give_role(edition, speaker, Role.CHECKIN)  # staff too, but a confirmed talk wins
    make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer)
    db.session.commit()
    assert [(_face_of(edition, u).role, _face_of(edition, u).role_label) for u in (speaker, reviewer, door, organizer)] == [
        ("speaker", "Speaker"), ("committee", "Committee"), ("staff", "Staff"), ("staff", "Staff")]
    book = role_book(db.session, edition.id)
    assert book.role_of(None, "ticket") == "attendee" and book.role_of(None, "committee") == "committee"


def test_a_bought_ticket_is_an_attendee_badge_with_name_organisation_and_edition(app, db):
    edition = make_edition(organizer=make_user())
    attendee, _code = registration(edition, name="Grace Hopper")
    (face,) = attendee_faces(db.session, attendee, edition)
    assert (face.name, face.organisation, face.role, face.role_label, face.edition_name) == (
        "Grace Hopper", "ACME", "attendee", "Attendee", edition.name)
