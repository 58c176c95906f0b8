"""The life of a badge, driven by registration's signals (``core/signals.py``).

An order becomes paid: each of its registrations gets a badge with its signed ticket code
(kept, not re-signed, if it already has one; a void or refunded badge admits again). A
registration's name or organisation changes: a printed badge is marked for reprinting.
A talk is confirmed or cancelled, a team role granted or revoked: the role a printed
badge shows may be stale, so it is marked for reprinting too.
An order is cancelled or refunded: its badges are revoked with the door's reason ("void",
"refunded"), which the offline revocation list is read from. Receivers run in the
sender's transaction: they flush, never commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.codes import key_id_of
from convention.badges.documents import order_badges_pdf
from convention.badges.keys import code_signer, revoke_key
from convention.badges.models import Badge
from convention.core import signals
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.mail.attachments import Attachment, register_attachment_renderer
from convention.registration.models import Attendee, Order, OrderState

VOID = "void"  # the door's reasons (checkin/scanning.py)
REFUNDED = "refunded"
ORDER_BADGES = "badges.order"  # the attachment kind of an order's badges


def _badges_by_attendee(attendee_ids) -> dict[int, Badge]:
    if not attendee_ids:
        return {}
    rows = db.session.scalars(sa.select(Badge).where(Badge.attendee_id.in_(list(attendee_ids))))
    return {badge.attendee_id: badge for badge in rows}


def issue_badges(edition_id: int, attendees: list[Attendee]) -> list[Badge]:
    """A badge with a signed code for each of ``attendees`` (those that have one keep it,
    admitting again if it was revoked). Flushes."""
    existing = _badges_by_attendee([attendee.id for attendee in attendees])
    sign = None
    badges = []
    for attendee in attendees:
        badge = existing.get(attendee.id)
        if badge is None:
            sign = sign or code_signer(edition_id)
            badge = Badge(edition_id=edition_id, attendee_id=attendee.id, code=sign(attendee.code), issued_at=utcnow())
            db.session.add(badge)
        elif badge.revoked_reason:
            badge.revoked_reason, badge.revoked_at = None, None
        badges.append(badge)
    db.session.flush()
    return badges


def issue_missing_badges(edition_id: int, *, batch: int = 500) -> int:
    """Badges for every paid registration of the edition that has none yet (registrations
    paid before badges existed); returns how many were made. Flushes."""
    made = 0
    sign = None
    while True:
        missing = db.session.execute(
            sa.select(Attendee.id, Attendee.code)
            .join(Order, Order.id == Attendee.order_id)
            .outerjoin(Badge, Badge.attendee_id == Attendee.id)
            .where(Attendee.edition_id == edition_id, Order.state == OrderState.PAID, Badge.id.is_(None))
            .order_by(Attendee.id)
            .limit(batch)
        ).all()
        if not missing:
            return made
        sign = sign or code_signer(edition_id)
        now = utcnow()
        db.session.execute(
            sa.insert(Badge),
            [
                {
                    "edition_id": edition_id,
                    "attendee_id": attendee_id,
                    "code": sign(code),
                    "issued_at": now,
                    "needs_reprint": False,
                }
                for attendee_id, code in missing
            ],
        )
        made += len(missing)


def revoke_order_badges(order_id: int, reason: str) -> int:
    """Revoke the badges of an order's registrations with the door's ``reason``."""
    attendee_ids = sa.select(Attendee.id).where(Attendee.order_id == order_id).scalar_subquery()
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.attendee_id.in_(attendee_ids))
        .values(revoked_reason=reason, revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def mark_for_reprint(attendee_ids) -> int:
    """Printed badges of these registrations show an old name: print them again."""
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.attendee_id.in_(list(attendee_ids)), Badge.printed_at.is_not(None))
        .values(needs_reprint=True)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def mark_printed_at_the_door(attendee_id: int) -> int:
    """A badge printed on its own (the door's badge-print scan): printed now, no reprint due."""
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.attendee_id == attendee_id)
        .values(printed_at=utcnow(), needs_reprint=False)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def revoke_signing_key(edition_id: int, key_id: int, *, actor=None) -> int:
    """Revoke one of the edition's signing keys and give every badge it signed a new code
    (from the newest key, made if none is left); a printed one is marked for reprinting,
    its printed code no longer admitting. Returns how many badges got a new code."""
    revoke_key(edition_id, key_id, actor=actor)
    rows = db.session.execute(
        sa.select(Badge.id, Badge.code, Badge.printed_at, Attendee.code)
        .join(Attendee, Attendee.id == Badge.attendee_id)
        .where(Badge.edition_id == edition_id)
    ).all()
    stale = [row for row in rows if key_id_of(row[1]) == key_id]
    if stale:
        sign = code_signer(edition_id)
        db.session.execute(sa.update(Badge), [
            {"id": badge_id, "code": sign(ticket_id), "needs_reprint": printed_at is not None}
            for badge_id, _code, printed_at, ticket_id in stale
        ])
    return len(stale)


def revoked_ticket_ids(edition_id: int) -> dict[str, str]:
    """The offline revocation list: ticket id (the registration's public code) -> reason."""
    rows = db.session.execute(
        sa.select(Attendee.code, Badge.revoked_reason)
        .join(Attendee, Attendee.id == Badge.attendee_id)
        .where(Badge.edition_id == edition_id, Badge.revoked_reason.is_not(None))
    )
    return dict(rows.all())


# -- receivers -------------------------------------------------------------------------------


def _on_order_paid(event: signals.OrderPaid) -> None:
    order = db.session.get(Order, event.order_id)
    issue_badges(event.edition_id, list(order.attendees))


def _on_attendee_renamed(event: signals.AttendeeRenamed) -> None:
    mark_for_reprint(event.attendee_ids)


def mark_people_for_reprint(edition_id: int, user_ids) -> int:
    """These people's role on the badge may have changed (a talk confirmed or cancelled, a
    team role granted or revoked): their printed badges in the edition are printed again."""
    attendee_ids = sa.select(Attendee.id).where(Attendee.edition_id == edition_id,
                                                Attendee.user_id.in_(list(user_ids))).scalar_subquery()
    result = db.session.execute(
        sa.update(Badge).where(Badge.attendee_id.in_(attendee_ids), Badge.printed_at.is_not(None))
        .values(needs_reprint=True).execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def _on_talk_changed(event) -> None:
    mark_people_for_reprint(event.edition_id, event.speaker_ids)


def _on_role_changed(event) -> None:
    mark_people_for_reprint(event.edition_id, [event.user_id])


def _on_order_cancelled(event: signals.OrderCancelled) -> None:
    revoke_order_badges(event.order_id, VOID)


def _on_order_refunded(event: signals.OrderRefunded) -> None:
    revoke_order_badges(event.order_id, REFUNDED)


def _order_attachments(event: signals.OrderAttachmentsAsked) -> list[Attachment] | None:
    order = db.session.get(Order, event.order_id)
    if order is None or order.state is not OrderState.PAID or not order.attendees:
        return None
    return [
        Attachment(
            kind=ORDER_BADGES,
            filename=f"badges-{order.code}.pdf",
            params={"order_id": order.id, "language": event.language},
        )
    ]


def _render_order_badges(session, params: dict) -> bytes:
    return order_badges_pdf(session, params["order_id"], language=params.get("language"))


def connect_receivers() -> None:
    """Called by the app factory (connecting twice changes nothing)."""
    signals.order_paid.connect(_on_order_paid)
    signals.attendee_renamed.connect(_on_attendee_renamed)
    signals.order_cancelled.connect(_on_order_cancelled)
    signals.order_refunded.connect(_on_order_refunded)
    signals.order_attachments_asked.connect(_order_attachments)
    for signal in (signals.talk_confirmed, signals.talk_cancelled):
        signal.connect(_on_talk_changed)
    for signal in (signals.role_granted, signals.role_revoked):
        signal.connect(_on_role_changed)
    register_attachment_renderer(ORDER_BADGES, _render_order_badges)
