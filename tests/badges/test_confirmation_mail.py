"""The confirmation email of a paid order carries its badges as a PDF, rendered when the
message is sent and delivered to a real SMTP server; their QR codes read back."""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.models import Badge
from convention.extensions import db
from convention.mail.models import MessageStatus, OutboxMessage
from convention.registration.services import mark_order_paid
from tests.badges.helpers import decoded_codes, page_texts
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type


def _messages(template):
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)).all()


def test_the_paid_confirmation_carries_the_orders_badges(app, smtp):
    edition = make_edition(organizer=make_user(email="org@example.org"))
    order = buy(edition, {make_ticket_type(edition): 2}, email="buyer@example.org", names=["Ада Лавлейс", "山田 太郎"])
    assert all(m.attachments == [] for m in _messages("registration_order_reserved"))  # nothing to wear yet
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference="t")
    db.session.commit()
    (message,) = _messages("registration_order_paid")
    assert message.status is MessageStatus.SENT
    assert message.attachments == [{"kind": "badges.order", "filename": f"badges-{order.code}.pdf",
                                    "mimetype": "application/pdf", "params": {"order_id": order.id, "language": None}}]
    received = [m["message"] for m in smtp.received if m["rcpt_tos"] == ["buyer@example.org"]]
    (pdf_part,) = list(received[-1].iter_attachments())
    assert (pdf_part.get_filename(), pdf_part.get_content_type()) == (f"badges-{order.code}.pdf", "application/pdf")
    pdf = pdf_part.get_content()
    codes = db.session.scalars(sa.select(Badge.code).where(Badge.attendee_id.in_([a.id for a in order.attendees]))
                               .order_by(Badge.attendee_id)).all()
    assert decoded_codes(pdf) == [[code] for code in codes]
    assert ["Ада Лавлейс" in page_texts(pdf)[0], "山田 太郎" in page_texts(pdf)[1]] == [True, True]


def test_a_free_registrations_mail_carries_the_badge_and_an_unpaid_one_none(app, smtp):
    edition = make_edition(organizer=make_user(email="org@example.org"))
    free = buy(edition, {make_ticket_type(edition, name="Free", price_cents=0): 1}, email="free@example.org")
    (paid_mail,) = [m for m in _messages("registration_order_paid") if m.recipient == "free@example.org"]
    assert [a["kind"] for a in paid_mail.attachments] == ["badges.order"]
    received = [m["message"] for m in smtp.received if m["rcpt_tos"] == ["free@example.org"]]
    (pdf_part,) = list(received[-1].iter_attachments())
    badge_code = db.session.scalar(sa.select(Badge.code).where(Badge.attendee_id == free.attendees[0].id))
    assert decoded_codes(pdf_part.get_content()) == [[badge_code]]
