"""Issue 13 in the shop: ticket types written per language, and an order placed without an
account that keeps its buyer's language for the mail that follows."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from convention.extensions import db
from convention.registration.models import Order, TicketType
from convention.registration.services import mark_order_paid
from tests.conftest import post_form
from tests.factories import make_edition, make_user
from tests.registration.helpers import checkout_form, make_ticket_type, outbox

TICKET = {
    "name": "Conference pass",
    "description": "Both days, lunch included.",
    "price": "121.00",
    "currency": "EUR",
    "vat_rate": "21",
    "max_per_order": "10",
    "position": "0",
}


def _place_order(client, edition, ticket, language):
    client.set_cookie("language", language)
    _, data = checkout_form(client, edition, {ticket: 1})
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 303
    return db.session.scalar(sa.select(Order).order_by(Order.id.desc()))


def test_ticket_type_form_saves_and_clears_its_dutch_and_french(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    auth.login(organizer.email)
    response = post_form(
        client,
        f"/{edition.slug}/manage/tickets/new",
        {**TICKET, "name_nl": "Congrespas", "description_fr": "Les deux jours, repas compris."},
    )
    assert response.status_code == 302
    ticket = db.session.scalar(
        sa.select(TicketType).where(TicketType.edition_id == edition.id, TicketType.name == "Conference pass")
    )
    assert ticket.translations == {
        "nl": {"name": "Congrespas"},
        "fr": {"description": "Les deux jours, repas compris."},
    }
    form = client.get(f"/{edition.slug}/manage/tickets/{ticket.id}").get_data(as_text=True)
    assert 'value="Congrespas"' in form
    post_form(client, f"/{edition.slug}/manage/tickets/{ticket.id}", {**TICKET, "name_nl": ""})
    db.session.expire_all()
    assert db.session.get(TicketType, ticket.id).translations == {}


def test_the_shop_shows_ticket_types_in_the_readers_language(client):
    edition = make_edition(translations={"nl": {"name": "Congres 2027"}})
    make_ticket_type(
        edition,
        description="Both days.",
        translations={"nl": {"name": "Congrespas", "description": "Beide dagen."}, "fr": {"name": "Pass"}},
    )
    client.set_cookie("language", "nl")
    dutch = client.get(f"/{edition.slug}/tickets/").get_data(as_text=True)
    assert "Congrespas" in dutch and "Beide dagen." in dutch and "Congres 2027" in dutch
    client.set_cookie("language", "fr")
    french = client.get(f"/{edition.slug}/tickets/").get_data(as_text=True)
    assert "Pass</h2>" in french and "Both days." in french  # no French description: English
    assert edition.name in french


def test_an_order_without_account_keeps_its_language_for_later_mail(client):
    edition = make_edition(translations={"fr": {"name": "Le congrès"}})
    ticket = make_ticket_type(edition, capacity=5, translations={"fr": {"name": "Pass congrès"}})
    order = _place_order(client, edition, ticket, "fr")
    assert (order.user_id, order.language) == (None, "fr")
    # Later, from an English-speaking organizer's page or a bank import: still French.
    with force_locale("en"):
        mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    (paid,) = outbox("registration_order_paid")
    assert "Le congrès" in paid.subject and "Le congrès" in paid.body_text
    assert "Pass congrès" in paid.body_text
    assert "Your registration" not in paid.subject


def test_an_order_placed_in_english_stays_english_when_an_organizer_reads_dutch(client):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5, translations={"nl": {"name": "Congrespas"}})
    order = _place_order(client, edition, ticket, "en")
    assert order.language == "en"
    with force_locale("nl"):  # the organizer's page speaks Dutch
        mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    (paid,) = outbox("registration_order_paid")
    assert paid.subject.startswith("Your registration for") and "Conference pass" in paid.body_text


def test_the_account_language_wins_over_the_order_language(client, auth):
    buyer = make_user(email="buyer@example.org")
    buyer.language = "nl"
    db.session.commit()
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = _place_order(client, edition, ticket, "fr")
    mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    (paid,) = outbox("registration_order_paid")
    assert "bevestigd" in paid.subject


def test_a_waiting_list_offer_speaks_the_language_the_person_joined_in(client):
    from convention.registration.models import WaitingListEntry
    from convention.registration.services import release_order
    from convention.registration.waiting_list import confirm_waiting_entry
    from tests.registration.helpers import buy

    edition = make_edition(translations={"nl": {"name": "Het congres"}})
    ticket = make_ticket_type(edition, capacity=1)
    held = buy(edition, {ticket: 1})
    client.set_cookie("language", "nl")
    joined = post_form(
        client,
        f"/{edition.slug}/tickets/{ticket.id}/waiting-list",
        {"name": "Wim", "email": "wim@example.org", "quantity": "1", "privacy_version": "2026-01", "consent": "y"},
    )
    assert joined.status_code == 302
    entry = db.session.scalar(sa.select(WaitingListEntry).where(WaitingListEntry.email == "wim@example.org"))
    assert entry.language == "nl"
    confirm_waiting_entry(entry)
    db.session.commit()
    with force_locale("en"):  # an English-speaking organizer cancels the order that held the seat
        release_order(held, reason="cancelled")
    db.session.commit()
    (offer,) = outbox("registration_waiting_offer")
    assert "Het congres" in offer.subject and entry.order.language == "nl"
