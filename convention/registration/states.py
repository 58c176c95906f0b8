"""The life of an order and of a waiting-list entry: their states and the moves allowed.

The transition functions (``mark_order_paid``, ``release_order``, ``mark_order_refunded``,
...) live in ``services.py``; each checks its move here with ``check_order_move``.
"""

from __future__ import annotations

import enum

from flask_babel import gettext, lazy_gettext

from convention.core.errors import InvalidTransition


class OrderState(enum.StrEnum):
    RESERVED = "reserved"  # seats held until expires_at, awaiting payment
    PAID = "paid"
    EXPIRED = "expired"  # reservation released unpaid
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        """The state's name in the request's language (lazy: choice lists are built at import)."""
        return _ORDER_LABELS[self.value]

    @property
    def holds_seats(self) -> bool:
        return self in (OrderState.RESERVED, OrderState.PAID)


_ORDER_LABELS = {
    "reserved": lazy_gettext("Awaiting payment"),
    "paid": lazy_gettext("Paid"),
    "expired": lazy_gettext("Expired"),
    "cancelled": lazy_gettext("Cancelled"),
    "refunded": lazy_gettext("Refunded"),
}

# The only moves an order can make; states never go back to RESERVED.
ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    OrderState.RESERVED: frozenset({OrderState.PAID, OrderState.EXPIRED, OrderState.CANCELLED}),
    OrderState.PAID: frozenset({OrderState.REFUNDED, OrderState.CANCELLED}),
    # A payment that lands after the release: it takes the seats again or is refunded.
    OrderState.EXPIRED: frozenset({OrderState.PAID, OrderState.REFUNDED}),
    OrderState.CANCELLED: frozenset({OrderState.PAID, OrderState.REFUNDED}),
    OrderState.REFUNDED: frozenset(),
}


def check_order_move(current: OrderState, target: OrderState) -> None:
    """Raise InvalidTransition unless the table allows ``current`` -> ``target``."""
    if target not in ORDER_TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("An order that is %(current)s cannot become %(target)s.", current=current.label.lower(),
                    target=target.label.lower())
        )


class WaitingState(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # joined; counts only once the emailed link confirms the address
    WAITING = "waiting"
    OFFERED = "offered"  # seats held for them in a reserved order until the offer expires
    CONVERTED = "converted"  # the offer was taken (the order is paid)
    LAPSED = "lapsed"  # the offer expired unused
    LEFT = "left"  # they left the list

    @property
    def label(self) -> str:
        return _WAITING_LABELS[self.value]


_WAITING_LABELS = {
    "unconfirmed": lazy_gettext("Unconfirmed"),
    "waiting": lazy_gettext("Waiting"),
    "offered": lazy_gettext("Offered"),
    "converted": lazy_gettext("Converted"),
    "lapsed": lazy_gettext("Lapsed"),
    "left": lazy_gettext("Left the list"),  # not "Left": that is the seats-left column
}
