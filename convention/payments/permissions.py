"""Who may see the payments area of an edition: its organizers (and site admins)."""

from __future__ import annotations

from convention.editions.permissions import can_manage_edition


def can_manage_payments(user, edition, **_objects) -> bool:
    return can_manage_edition(user, edition)


def holds_order_link(user, edition, order, **_objects) -> bool:
    """The order's secret link is the credential (no account needed); it only opens its own edition."""
    return order.edition_id == edition.id
