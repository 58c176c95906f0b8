"""The life of an order and of a waiting-list entry: their states and the moves allowed.

The transition functions (``mark_order_paid``, ``release_order``, ``mark_order_refunded``,
...) live in ``services.py``; each checks its move here with ``check_order_move``.
"""

from __future__ import annotations

import enum

from convention.core.errors import InvalidTransition


class OrderState(enum.StrEnum):
    RESERVED = "reserved"  # seats held until expires_at, awaiting payment
    PAID = "paid"
    EXPIRED = "expired"  # reservation released unpaid
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return {
            "reserved": "Awaiting payment",
            "paid": "Paid",
            "expired": "Expired",
            "cancelled": "Cancelled",
            "refunded": "Refunded",
        }[self.value]

    @property
    def holds_seats(self) -> bool:
        return self in (OrderState.RESERVED, OrderState.PAID)


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
        raise InvalidTransition(f"An order that is {current.label.lower()} cannot become {target.value}.")


class WaitingState(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # joined; counts only once the emailed link confirms the address
    WAITING = "waiting"
    OFFERED = "offered"  # seats held for them in a reserved order until the offer expires
    CONVERTED = "converted"  # the offer was taken (the order is paid)
    LAPSED = "lapsed"  # the offer expired unused
    LEFT = "left"  # they left the list

    @property
    def label(self) -> str:
        return self.value.capitalize()
