"""Who may do what in registration. Organizer pages use editions' ``can_manage_edition``."""

from __future__ import annotations


def can_buy_tickets(user, edition, **_objects) -> bool:
    """The shop is open to everyone, signed in or not."""
    return True


def holds_order_link(user, order, **_objects) -> bool:
    """The order page's secret link is the capability: whoever has it may see the order."""
    return order is not None


def holds_waiting_list_link(user, entry, **_objects) -> bool:
    return entry is not None
