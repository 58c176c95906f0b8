"""Who may do what in the review: named predicates for ``guarded``."""

from __future__ import annotations

from convention.editions.models import Edition
from convention.editions.permissions import can_manage_edition


def can_decide(user, edition: Edition, **_objects) -> bool:
    """The committee's decisions and the speakers' notifications are the organizers'."""
    return can_manage_edition(user, edition)
