"""The states of a Checkout Session and of a payment issue, and the moves allowed."""

from __future__ import annotations

import enum


class CheckoutStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"
    FAILED = "failed"  # an asynchronous payment method failed after completion


class IssueState(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


ISSUE_TRANSITIONS: dict[IssueState, frozenset[IssueState]] = {
    IssueState.OPEN: frozenset({IssueState.RESOLVED}),
    IssueState.RESOLVED: frozenset(),
}
