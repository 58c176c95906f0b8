"""Who may have which badge. The organizers' pages use editions' ``can_manage_edition``
(inside the organizer area), an order's badges registration's ``holds_order_link`` (the
secret link is the capability, as for the receipt)."""

from __future__ import annotations

from convention.editions.permissions import can_check_in


def can_print_badge(user, edition, attendee=None, **_objects) -> bool:
    """Door staff and organizers print the badge of someone at the desk (inside the door area)."""
    return attendee is not None and can_check_in(user, edition)
