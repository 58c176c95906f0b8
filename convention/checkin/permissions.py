"""Who may use the door: check-in staff and organizers (sessions), or a device token.

A device authenticated by a ``checkin`` token of the edition (``tokens.permissions``) may scan,
download the offline data and upload offline scans, and nothing else: it is no person,
so the door page itself and the search stay for staff sessions.
"""

from __future__ import annotations

from convention.editions.permissions import can_check_in
from convention.tokens.models import TokenScope
from convention.tokens.permissions import device_token


def can_use_door(user, edition, **_objects) -> bool:
    return can_check_in(user, edition) or device_token(edition, TokenScope.CHECKIN.value) is not None
