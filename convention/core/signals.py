"""The signals between domains, declared once, each with its typed payload.

A domain that must react to another's event without importing it (registration gives a
confirmed speaker a free ticket; payments ends the Checkout Session of a released order)
subscribes here. The sender builds the payload, which always names the acting user
(``actor_id``, None for the system: a job, the command line), so what a receiver records
in the audit log says who caused it. Payloads carry ids, not model objects: core knows no
domain's models, and a receiver loads what it needs (from the session's identity map).

Receivers are connected by the app factory (``create_app`` calls each receiving domain's
``connect_receivers()``), never as a side effect of importing a module. A receiver takes
the payload as its only argument:

    talk_confirmed.connect(give_speakers_a_free_ticket)
    talk_confirmed.send(TalkConfirmed(edition_id=..., proposal_id=..., speaker_ids=(...), actor_id=...))

Receivers run inside the sender's transaction: they flush, never commit, and a
DomainError they raise refuses the sender's whole action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import blinker

Payload = TypeVar("Payload")


class DomainSignal(Generic[Payload]):
    """A named event whose every sending carries one ``payload_type`` instance."""

    def __init__(self, name: str, payload_type: type[Payload], doc: str = ""):
        self.name = name
        self.payload_type = payload_type
        self.__doc__ = doc
        self._signal = blinker.Signal(doc)  # anonymous: reachable only through this object

    def connect(self, receiver: Callable[[Payload], Any]) -> None:
        """Subscribe ``receiver`` (kept alive; connecting it twice changes nothing)."""
        self._signal.connect(receiver, weak=False)

    def disconnect(self, receiver: Callable[[Payload], Any]) -> None:
        self._signal.disconnect(receiver)

    def send(self, payload: Payload) -> list[Any]:
        """Call every receiver with ``payload``; the list of what they returned."""
        if not isinstance(payload, self.payload_type):
            raise TypeError(f"{self.name} carries a {self.payload_type.__name__}, not {type(payload).__name__}")
        return [result for _receiver, result in self._signal.send(payload)]

    def __repr__(self) -> str:
        return f"<DomainSignal {self.name}>"


# -- call for papers -> registration -----------------------------------------------------


@dataclass(frozen=True)
class TalkConfirmed:
    """These speakers have a confirmed talk: the proposal became confirmed (``actor_id``:
    the speaker who confirmed it), or they joined a confirmed proposal (themselves)."""

    edition_id: int
    proposal_id: int
    speaker_ids: tuple[int, ...]
    actor_id: int | None


@dataclass(frozen=True)
class TalkCancelled:
    """These speakers no longer have this confirmed talk: it was cancelled (by an
    organizer) or withdrawn (by a speaker), or they left it or were removed from it."""

    edition_id: int
    proposal_id: int
    speaker_ids: tuple[int, ...]
    actor_id: int | None


talk_confirmed = DomainSignal("cfp.talk-confirmed", TalkConfirmed)
talk_cancelled = DomainSignal("cfp.talk-cancelled", TalkCancelled)


# -- editions -> registration, cfp -------------------------------------------------------


@dataclass(frozen=True)
class RoleGranted:
    """``user_id`` received ``role`` ("organizer", "reviewer", "checkin") in the edition."""

    edition_id: int
    user_id: int
    role: str
    actor_id: int | None


@dataclass(frozen=True)
class RoleRevoked:
    edition_id: int
    user_id: int
    role: str
    actor_id: int | None


@dataclass(frozen=True)
class ItemInUse:
    """A question, asked before a theme, format or room is deleted: each receiver answers
    what of its domain uses the item ("12 proposals") or None; any answer refuses the
    deletion, so no row is left pointing at nothing. ``kind``: "themes", "formats", "rooms"."""

    edition_id: int
    kind: str
    item_id: int
    actor_id: int | None


role_granted = DomainSignal("editions.role-granted", RoleGranted)
role_revoked = DomainSignal("editions.role-revoked", RoleRevoked)
item_in_use = DomainSignal("editions.item-in-use", ItemInUse)


# -- registration -> payments ------------------------------------------------------------


@dataclass(frozen=True)
class OrderReleased:
    """An unpaid order's reservation was released, in the transaction that releases it.
    ``reason``: "expired", "payment_failed" or "cancelled"."""

    edition_id: int
    order_id: int
    reason: str
    actor_id: int | None


order_released = DomainSignal("registration.order-released", OrderReleased)


# -- registration -> badges --------------------------------------------------------------


@dataclass(frozen=True)
class OrderPaid:
    """An order became paid (a payment, a free order, a free registration), in the
    transaction that makes it so: its registrations now need their signed ticket codes."""

    edition_id: int
    order_id: int
    actor_id: int | None


@dataclass(frozen=True)
class AttendeeRenamed:
    """What a badge prints of these registrations (name, organisation) changed."""

    edition_id: int
    order_id: int
    attendee_ids: tuple[int, ...]
    actor_id: int | None


@dataclass(frozen=True)
class OrderCancelled:
    """A paid order was cancelled without a refund (its tickets are void)."""

    edition_id: int
    order_id: int
    actor_id: int | None


@dataclass(frozen=True)
class OrderRefunded:
    """An order was refunded and cancelled (its tickets are refunded)."""

    edition_id: int
    order_id: int
    actor_id: int | None


@dataclass(frozen=True)
class OrderAttachmentsAsked:
    """A question, asked when an order's confirmation email is queued: each receiver
    answers a list of ``mail.attachments.Attachment`` for it (its badges), or None.
    ``language``: the email's language, if the sender knows it."""

    edition_id: int
    order_id: int
    language: str | None
    actor_id: int | None


order_paid = DomainSignal("registration.order-paid", OrderPaid)
attendee_renamed = DomainSignal("registration.attendee-renamed", AttendeeRenamed)
order_cancelled = DomainSignal("registration.order-cancelled", OrderCancelled)
order_refunded = DomainSignal("registration.order-refunded", OrderRefunded)
order_attachments_asked = DomainSignal("registration.order-attachments-asked", OrderAttachmentsAsked)


# -- accounts -> the domains above it ----------------------------------------------------


@dataclass(frozen=True)
class LandingAsked:
    """A question, asked when someone signs in without a page to go back to: each receiver
    answers the page its domain offers as this person's start, as ``(endpoint, values)``
    for ``url_for``, or None; the first answer wins, none leaves the home page
    (door staff land on the door page)."""

    user_id: int
    actor_id: int | None


landing_asked = DomainSignal("accounts.landing-asked", LandingAsked)
