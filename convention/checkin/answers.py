"""The words a person at the door reads for a scan's answer, in the request's language.

The machine-facing fields of an answer (``status``, ``reason``) stay English, as the scan
contract says; ``message`` and ``detail`` are added for the door page to show as they are.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext, lazy_gettext

from convention.core.timeutil import to_local

_MESSAGES = {
    "checked_in": lazy_gettext("Checked in"),
    "already_checked_in": lazy_gettext("Already checked in"),
    "invalid": lazy_gettext("Invalid code"),
    "not_valid_now": lazy_gettext("Not valid"),
    "checked_out": lazy_gettext("Checked out"),
    "badge_printed": lazy_gettext("Badge printed"),
}

REASONS = {
    "unpaid": lazy_gettext("This ticket is not paid."),
    "void": lazy_gettext("This ticket was cancelled."),
    "refunded": lazy_gettext("This ticket was refunded."),
    "wrong_day": lazy_gettext("This ticket is not valid today at this entrance."),
    "not_on_list": lazy_gettext("This ticket type is not admitted at this entrance."),
    "other_edition": lazy_gettext("This ticket is for another edition."),
}


def described(answer: dict, timezone: str) -> dict:
    """``answer`` with its ``message`` and ``detail`` for people (a new dict)."""
    detail = ""
    if answer.get("reason"):
        detail = str(REASONS.get(answer["reason"], ""))
    elif answer["status"] == "already_checked_in" and answer.get("checked_in_at"):
        when = to_local(datetime.fromisoformat(answer["checked_in_at"]), timezone).strftime("%H:%M")
        if answer.get("gate"):
            detail = gettext("Since %(time)s at gate %(gate)s.", time=when, gate=answer["gate"])
        else:
            detail = gettext("Since %(time)s.", time=when)
    elif answer["status"] == "invalid":
        detail = gettext("This code is not a ticket of this edition.")
    return {**answer, "message": str(_MESSAGES.get(answer["status"], answer["status"])), "detail": detail}
