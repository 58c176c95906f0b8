"""The demo edition: believable data that shows every feature of the running app.

``seed_demo`` creates the people and the edition, then runs each domain's seeder in
``DOMAIN_SEEDERS`` (``module:function``, called as ``function(edition, people)``), so
every domain adds its own demo data without this module importing it.
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from convention.accounts.models import User
from convention.accounts.services import register_user
from convention.editions.models import Edition, Role, Room
from convention.editions.services import EditionData, create_edition, grant_role, set_edition_published
from convention.extensions import db

DEMO_SLUG = "demo"

# (role label, key, name, email, password): public on purpose, printed by `flask demo`.
DEMO_PEOPLE = [
    ("site admin", "admin", "Ada Admin", "admin@demo.example", "demo-pass-ada-2026"),
    ("organizer", "organizer", "Olivia Organizer", "organizer@demo.example", "demo-pass-olivia-2026"),
    ("committee member", "reviewer1", "Ravi Reviewer", "reviewer1@demo.example", "demo-pass-ravi-2026"),
    ("committee member", "reviewer2", "Rosa Reviewer", "reviewer2@demo.example", "demo-pass-rosa-2026"),
    ("committee member", "reviewer3", "Remy Reviewer", "reviewer3@demo.example", "demo-pass-remy-2026"),
    ("check-in staff", "staff", "Sam Doorkeeper", "staff@demo.example", "demo-pass-sam-2026"),
    ("speaker", "speaker", "Sofia Speaker", "speaker@demo.example", "demo-pass-sofia-2026"),
    ("attendee", "attendee", "Arne Attendee", "attendee@demo.example", "demo-pass-arne-2026"),
]

DEMO_ROOMS = [("Auditorium", 800, 0), ("Room Leuven", 250, 1), ("Room Gent", 120, 2), ("Workshop lab", 40, 3)]

DOMAIN_SEEDERS: tuple[str, ...] = (
    "convention.cfp.demo:seed",
    "convention.schedule.demo:seed",
    "convention.registration.demo:seed",
    "convention.payments.demo:seed",
    "convention.review.demo:seed",
    "convention.checkin.demo:seed",
)

# Demo content, not interface text: it is stored in the edition and stays English.
DEMO_DESCRIPTION = (
    "Two days of talks, workshops and panels on defending small companies, "
    "meeting NIS2 and the Cybersecurity Act, and keeping the Internet running."
)


def demo_logins() -> list[tuple[str, str, str]]:
    return [(role, email, password) for role, _key, _name, email, password in DEMO_PEOPLE]


def _edition_dates(today: date) -> tuple[date, date, datetime, datetime]:
    """The convention in about four months; the call for papers open now for six weeks."""
    starts = today + timedelta(days=120)
    starts += timedelta(days=(1 - starts.weekday()) % 7)  # a Tuesday
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return starts, starts + timedelta(days=1), now - timedelta(days=14), now + timedelta(days=42)


# The demo edition's texts in Dutch and French (issue 13: edition content per language).
DEMO_CALL_TEXT = {
    "en": "Tell us what you learned the hard way: an incident, a migration, a tool you built.",
    "nl": "Vertel ons wat je op de harde manier leerde: een incident, een migratie, een tool die je bouwde.",
    "fr": "Racontez-nous ce que vous avez appris à vos dépens : un incident, une migration, un outil que vous avez créé.",
}
DEMO_THEME_NAMES = {
    "SME security": {"nl": {"name": "Beveiliging voor kmo's"}, "fr": {"name": "Sécurité des PME"}},
    "DNS and Internet infrastructure": {"nl": {"name": "DNS en internetinfrastructuur"},
                                        "fr": {"name": "DNS et infrastructure d'Internet"}},
    "Threat intelligence": {"nl": {"name": "Dreigingsinformatie"}, "fr": {"name": "Renseignement sur les menaces"}},
    "Phishing and malware": {"nl": {"name": "Phishing en malware"}, "fr": {"name": "Hameçonnage et logiciels malveillants"}},
    "Secure coding": {"nl": {"name": "Veilig programmeren"}, "fr": {"name": "Programmation sécurisée"}},
}


def seed_demo() -> tuple[bool, list[tuple[str, str, str]]]:
    """Create the demo edition if there is none; returns (created, logins)."""
    if db.session.scalar(sa.select(Edition.id).where(Edition.slug == DEMO_SLUG)) is not None:
        return False, demo_logins()
    people = _seed_people()
    starts, ends, cfp_opens, cfp_closes = _edition_dates(date.today())
    edition = create_edition(
        EditionData(
            slug=DEMO_SLUG,
            name=f"Cyber Security Convention {starts.year}",
            tagline="The national convention for people who defend networks, code and companies.",
            description=DEMO_DESCRIPTION,
            starts_on=starts,
            ends_on=ends,
            venue_name="Brussels Expo, Hall 5",
            venue_address="Place de Belgique 1, 1020 Brussels",
            cfp_opens_at=cfp_opens,
            cfp_closes_at=cfp_closes,
            call_text=DEMO_CALL_TEXT["en"],
            translations={
                "nl": {"name": f"Cyberbeveiligingscongres {starts.year}", "call_text": DEMO_CALL_TEXT["nl"],
                       "tagline": "Het nationale congres voor wie netwerken, code en bedrijven verdedigt."},
                "fr": {"name": f"Congrès de cybersécurité {starts.year}", "call_text": DEMO_CALL_TEXT["fr"],
                       "tagline": "Le congrès national de celles et ceux qui défendent réseaux, code et entreprises."},
            },
        ),
        actor=people["organizer"],
    )
    for theme in edition.themes:  # the default themes, in the two other languages
        theme.translations = DEMO_THEME_NAMES.get(theme.name, {})
    set_edition_published(edition, True, actor=people["organizer"])
    for name, capacity, position in DEMO_ROOMS:
        edition.rooms.append(Room(name=name, capacity=capacity, position=position))
    for key in ("reviewer1", "reviewer2", "reviewer3"):
        grant_role(edition, people[key], Role.REVIEWER, actor=people["organizer"])
    grant_role(edition, people["staff"], Role.CHECKIN, actor=people["organizer"])
    db.session.flush()
    for dotted in DOMAIN_SEEDERS:
        module_name, _, function_name = dotted.partition(":")
        getattr(importlib.import_module(module_name), function_name)(edition, people)
    return True, demo_logins()


def _seed_people() -> dict[str, User]:
    people = {}
    for _role, key, name, email, password in DEMO_PEOPLE:
        people[key] = register_user(name=name, email=email, password=password, is_admin=(key == "admin"), confirmed=True)
    return people
