"""The guarded areas of the site, declared once: a URL-rule prefix and who may enter.

``create_app`` installs them (``core.permissions.init_area_guards``): every request to a
route under a prefix is checked against the area's predicate before the view runs, so an
organizer page cannot be opened by someone else even if its own guard is wrong. Pages
outside every area (public pages, a speaker's proposal, an order's secret page) rely on
their view's ``guarded(...)`` or ``public`` mark. tests/test_access_matrix.py declares the
expected outcome per area and walks every route with every role.

This module sits above the domains (it names their predicates), like ``convention.cli``.
"""

from __future__ import annotations

from convention.checkin.permissions import can_use_door
from convention.core.permissions import Area, site_admin
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_manage_edition, can_review_edition

AREAS = (
    # The edition's organizers (and site admins): settings, team, call, tickets, orders...
    Area("organizer", "/<slug>/manage/", can_manage_edition, load=load_edition),
    # The programme committee (reviewers) and the organizers: reviewing proposals.
    Area("reviewer", "/<slug>/review/", can_review_edition, load=load_edition),
    # Check-in staff at the door and the organizers (or a door device's token): badges and arrivals.
    Area("door", "/<slug>/checkin/", can_use_door, load=load_edition),
    # Site administrators: the outbox and whatever spans editions.
    Area("site admin", "/admin/", site_admin),
)
