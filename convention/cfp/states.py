"""The life of a proposal: its states, the moves between them and who may make each move.

``set_proposal_state`` in ``submission.py`` is the only code that changes a state; it reads
these tables. Withdrawal is open from every state that is still alive (draft, submitted,
accepted, confirmed): withdrawing a rejected, declined or cancelled proposal means nothing.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The state's name in the current language (English outside a request)."""
        return str(STATE_LABELS[self])


STATE_LABELS = {
    ProposalState.DRAFT: lazy_gettext("Draft"),
    ProposalState.SUBMITTED: lazy_gettext("Submitted"),
    ProposalState.ACCEPTED: lazy_gettext("Accepted"),
    ProposalState.REJECTED: lazy_gettext("Not accepted"),
    ProposalState.CONFIRMED: lazy_gettext("Confirmed"),
    ProposalState.DECLINED: lazy_gettext("Declined by speaker"),
    ProposalState.WITHDRAWN: lazy_gettext("Withdrawn"),
    ProposalState.CANCELLED: lazy_gettext("Cancelled"),
}


class Mover(enum.StrEnum):
    """Who makes a move: one of the proposal's speakers, or the edition's organizers."""

    SPEAKER = "speaker"
    ORGANIZER = "organizer"


S = ProposalState
# (from, to) -> who may make the move. Anything missing is an illegal transition.
TRANSITIONS: dict[tuple[ProposalState, ProposalState], Mover] = {
    (S.DRAFT, S.SUBMITTED): Mover.SPEAKER,
    (S.SUBMITTED, S.ACCEPTED): Mover.ORGANIZER,
    (S.SUBMITTED, S.REJECTED): Mover.ORGANIZER,
    (S.ACCEPTED, S.CONFIRMED): Mover.SPEAKER,
    (S.ACCEPTED, S.DECLINED): Mover.SPEAKER,
    (S.CONFIRMED, S.CANCELLED): Mover.ORGANIZER,
    (S.DRAFT, S.WITHDRAWN): Mover.SPEAKER,
    (S.SUBMITTED, S.WITHDRAWN): Mover.SPEAKER,
    (S.ACCEPTED, S.WITHDRAWN): Mover.SPEAKER,
    (S.CONFIRMED, S.WITHDRAWN): Mover.SPEAKER,
}

# Speakers may change the content of a proposal in these states (while the call is open).
EDITABLE_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.CONFIRMED})
# States whose proposal is on its way to the programme: slides and availability matter.
ACCEPTED_STATES = frozenset({S.ACCEPTED, S.CONFIRMED})
# States a new co-speaker may still join.
JOINABLE_STATES = EDITABLE_STATES

# The word in a move's URL (/state/<word>) -> the state it moves to, per mover.
SPEAKER_MOVES = {
    "submit": S.SUBMITTED,
    "confirm": S.CONFIRMED,
    "decline": S.DECLINED,
    "withdraw": S.WITHDRAWN,
}
# Accepting and rejecting have no button of their own: the committee decides in the review
# (``/<slug>/manage/review/...``), which tells the speakers later, all at once.
ORGANIZER_MOVES = {
    "cancel": S.CANCELLED,
}
# Moves decided elsewhere (the review's decisions): offered as a link, not a button.
DECIDED_IN_REVIEW = frozenset({S.ACCEPTED, S.REJECTED})
MOVE_WORDS = {state: word for moves in (SPEAKER_MOVES, ORGANIZER_MOVES) for word, state in moves.items()}


def is_accepted(state: ProposalState) -> bool:
    """On its way to the programme: the talk gets a slot, slides and availability matter."""
    return state in ACCEPTED_STATES
