"""Who may see the payments area of an edition: its organizers (and site admins)."""

from __future__ import annotations

from convention.editions.permissions import can_manage_edition


def can_manage_payments(user, edition, **_objects) -> bool:
    return can_manage_edition(user, edition)

