"""Registration speaks the buyer's language: the shop, the order page, its email and the receipt.

These read the compiled catalogues (convention/translations), so they check the Dutch and
French that the translators wrote, not just that the strings go through gettext.
"""

import io

from pypdf import PdfReader

from convention.extensions import db
from convention.registration.services import mark_order_paid
from tests.factories import make_edition
from tests.registration.helpers import buy, checkout_form, make_ticket_type, make_voucher, outbox


def test_the_shop_speaks_dutch_with_the_voucher_and_the_seats_left(client):
    edition = make_edition()
    make_ticket_type(edition, capacity=5)
    make_voucher(edition)
    html = client.get(f"/{edition.slug}/tickets/?voucher=FRIEND", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Kortingscode <strong>FRIEND</strong> toegepast." in html
    assert "Nog maar 5 over" in html and "incl. 21% btw" in html
    assert "Good to know" not in html and "Join the waiting list" not in html


def test_an_order_placed_in_dutch_gets_its_page_and_email_in_dutch(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    client.set_cookie("language", "nl")
    _, data = checkout_form(client, edition, {pass_: 1})
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Betaal per overschrijving" in html and "Wacht op betaling" in html
    (mail,) = outbox("registration_order_reserved")
    assert mail.subject.endswith(": betaal per overschrijving")
    assert "Rekeninghouder:" in mail.body_text and "Account holder" not in mail.body_text


def test_the_receipt_is_printed_in_the_request_language(client):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=3): 1})
    mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    url = f"/{edition.slug}/orders/{order.secret}/receipt.pdf"
    french = PdfReader(io.BytesIO(client.get(url, headers={"Accept-Language": "fr"}).data)).pages[0].extract_text()
    assert "Reçu" in french and "Total payé" in french and "TVA 21%" in french and "virement bancaire" in french
    english = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "Receipt" in english and "Total paid" in english and "bank transfer" in english
