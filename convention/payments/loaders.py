"""Object loaders for ``guarded(load=...)``: payments turns "missing" into a 404 here only."""

from __future__ import annotations

from flask import abort

from convention.core.errors import NotFound
from convention.editions.loaders import get_edition_or_404
from convention.payments.issues import get_payment_issue


def load_issue(slug: str, issue_id: int) -> dict:
    edition = get_edition_or_404(slug)
    try:
        issue = get_payment_issue(edition, issue_id)
    except NotFound:
        abort(404)
    return {"edition": edition, "issue": issue}
