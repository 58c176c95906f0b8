"""Factories that build valid objects through the services, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from convention.accounts.services import register_user
from convention.core.timeutil import utcnow
from convention.editions.models import Role
from convention.editions.services import EditionData, create_edition, grant_role, set_edition_published
from convention.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(*, name: str | None = None, email: str | None = None, password: str = PASSWORD,
              is_admin: bool = False, confirmed: bool = True):
    n = next(_counter)
    user = register_user(
        name=name or f"Person {n}",
        email=email or f"person{n}@example.org",
        password=password,
        is_admin=is_admin,
        confirmed=confirmed,
    )
    db.session.commit()
    return user


def make_edition(*, organizer=None, slug: str | None = None, published: bool = True, **overrides):
    n = next(_counter)
    organizer = organizer or make_user(name=f"Organizer {n}")
    starts = date.today() + timedelta(days=90)
    values = {
        "slug": slug or f"edition-{n}",
        "name": f"Convention {n}",
        "starts_on": starts,
        "ends_on": starts + timedelta(days=1),
        "cfp_opens_at": utcnow() - timedelta(days=1),
        "cfp_closes_at": utcnow() + timedelta(days=30),
    }
    values.update(overrides)
    edition = create_edition(EditionData(**values), actor=organizer)
    if published:  # most tests look at an edition the public can see
        set_edition_published(edition, True, actor=organizer)
    db.session.commit()
    return edition


def give_role(edition, user, role: Role):
    grant = grant_role(edition, user, role, actor=user)
    db.session.commit()
    return grant
