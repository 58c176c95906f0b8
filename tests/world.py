"""A small edition shaped like the demo, its people, and URL arguments for every route.

Shared by the tests that walk the whole URL map (tests/test_no_server_errors.py, the role
x route matrix in tests/test_access_matrix.py): ``build_world`` makes the data,
``url_values`` fills a rule's arguments from it, ``sign_in`` signs a test client in as one
of ``ROLES``. A route with a new kind of URL argument needs a value in ``build_world``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from convention.accounts.services import request_password_reset, send_confirmation
from convention.cfp import attachments, cospeakers
from convention.cfp.late_grants import create_late_grant
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.core.timeutil import to_utc, utcnow
from convention.editions.models import Role, Room
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.payments.models import IssueKind, PaymentIssue
from convention.registration.settings import get_settings
from convention.registration.waiting_list import join_waiting_list
from convention.review import bids as review_bids
from convention.review import conflicts as review_conflicts
from convention.review import expertise as review_expertise
from convention.review import settings as review_settings
from convention.review.assignment import assign
from convention.review.scoring import ReviewData, save_review
from convention.schedule import placement, setup, versions
from convention.tokens.services import create_token
from tests.cfp.helpers import make_proposal, make_question, pdf_bytes, png_bytes
from tests.conftest import Auth
from tests.factories import give_role, make_edition, make_user
from tests.registration.helpers import buy, make_quota, make_ticket_type, make_voucher

# Everyone the walks sign in as, and the account each one uses. ``speaker`` speaks on two
# proposals of the edition (one submitted, one accepted); ``reviewer`` and ``checkin``
# hold that role in the edition; ``other_organizer`` organizes another edition.
ACCOUNTS = {
    "no_role": "nora@example.org",
    "speaker": "sofia@example.org",
    "reviewer": "rita@example.org",
    "checkin": "chuck@example.org",
    "other_organizer": "otto@example.org",
    "organizer": "olivia@example.org",
    "admin": "ada@example.org",
}
ROLES = ("anonymous", *ACCOUNTS)


@dataclass
class World:
    values: dict  # URL argument name -> value
    per_endpoint: dict  # (endpoint, argument name) -> value, where one endpoint needs its own


def _token_in(template: str, to: str) -> str:
    message = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.template == template, OutboxMessage.recipient == to)
    ).first()
    url = re.search(r"http://\S+", message.body_text).group(0)
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def build_world() -> World:
    """The edition ``demo``: its call (proposals with files, a co-speaker invitation, a late
    link), its tickets, orders and waiting list, a payment issue, and one person per role.
    Point the app's UPLOAD_FOLDER at a temporary directory first (the files go there)."""
    organizer = make_user(name="Olivia Organizer", email=ACCOUNTS["organizer"])
    speaker = make_user(name="Sofia Speaker", email=ACCOUNTS["speaker"])
    make_user(name="Ada Admin", email=ACCOUNTS["admin"], is_admin=True)
    make_user(name="Nora Noroles", email=ACCOUNTS["no_role"])
    newcomer = make_user(name="Nina Newcomer", email="nina@example.org", confirmed=False)
    edition = make_edition(organizer=organizer, slug="demo", name="Demo Convention")
    reviewer = make_user(name="Rita Reviewer", email=ACCOUNTS["reviewer"])
    team_grant = give_role(edition, reviewer, Role.REVIEWER)
    give_role(edition, make_user(name="Chuck Checkin", email=ACCOUNTS["checkin"]), Role.CHECKIN)
    make_edition(organizer=make_user(name="Otto Other", email=ACCOUNTS["other_organizer"]), slug="elsewhere")
    room = Room(edition_id=edition.id, name="Auditorium", capacity=300)
    db.session.add(room)

    question = make_question(edition, organizer)
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED)
    second = make_proposal(edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer, title="Second talk")
    scheduled = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer,
                              title="Scheduled talk")
    attachment = attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="slides.pdf", actor=speaker)
    profile = update_speaker_profile(edition, ProfileData(display_name="Sofia S."), actor=speaker,
                                     photo=io.BytesIO(png_bytes()))
    invitation = cospeakers.invite_co_speaker(proposal, "carl@example.org", actor=speaker)
    grant, link = create_late_grant(edition, "late@example.org", utcnow() + timedelta(days=7), actor=organizer)
    send_confirmation(newcomer)
    request_password_reset(speaker.email)
    db.session.commit()

    regular = make_ticket_type(edition, name="Conference pass", price_cents=12100, capacity=100)
    workshop = make_ticket_type(edition, name="Workshop", price_cents=0, capacity=1)
    quota = make_quota(edition, [regular, workshop], name="Venue", capacity=80)
    voucher = make_voucher(edition)
    student = make_ticket_type(edition, name="Student", price_cents=0, capacity=10)
    order = buy(edition, {regular: 1, workshop: 1})
    paid_order = buy(edition, {student: 1}, email="student@example.org")
    entry = join_waiting_list(edition, workshop, name="Walter Waiting", email="walter@example.org", quantity=1,
                              consent_version=get_settings(edition).privacy_version)
    issue = PaymentIssue(edition_id=edition.id, order_id=order.id, kind=IssueKind.AMOUNT_MISMATCH,
                         amount_cents=100, currency="EUR", detail="short")
    db.session.add(issue)
    db.session.commit()

    review = _review_world(edition, organizer, reviewer, proposal, second)
    day, block, version = _schedule(edition, room, scheduled, organizer)

    device = create_token(edition, scope="checkin", name="Gate A phone", actor=organizer).token
    db.session.commit()
    message = db.session.scalars(db.select(OutboxMessage)).first()
    values = {
        "slug": edition.slug,
        "code": proposal.code,
        "attachment_code": attachment.code,
        "profile_code": profile.code,
        "invitation_id": invitation.id,
        "move": "withdraw",
        "kind": "themes",
        "item_id": edition.themes[0].id,
        "question_id": question.id,
        "ticket_type_id": workshop.id,
        "quota_id": quota.id,
        "voucher_id": voucher.id,
        "grant_id": grant.id,
        "issue_id": issue.id,
        "message_id": message.id,
        "token_id": device.id,
        "secret": order.secret,
        "filename": "css/app.css",
        **review,
        "room_id": room.id,
        "day_id": day.id,
        "block_id": block.id,
        "proposal_id": scheduled.id,
        "ident": version.snapshot["talks"][0]["guid"],
    }
    per_endpoint = {
        ("cfp_manage.move", "move"): "cancel",  # accept / reject are decided in the review
        ("review_decisions.decide", "word"): "accept",
        ("review_decisions.edit_template", "outcome"): "accept",
        ("editions.revoke", "grant_id"): team_grant.id,  # a role in the team, not a late link
        ("registration.manage_order", "code"): order.code,
        ("registration.cancel", "code"): order.code,
        ("registration.mark_paid", "code"): order.code,
        ("registration.resend", "code"): order.code,
        ("registration.leave_waiting_list", "secret"): entry.secret,
        ("registration.confirm_waiting_list", "secret"): entry.secret,
        ("registration.receipt", "secret"): paid_order.secret,
        ("cfp.invitation", "token"): _token_in("cfp_invitation", "carl@example.org"),
        ("cfp.accept_invitation", "token"): _token_in("cfp_invitation", "carl@example.org"),
        ("cfp.late_link", "token"): link.rstrip("/").rsplit("/", 1)[-1],
        ("accounts.confirm_email", "token"): _token_in("confirm_email", newcomer.email),
        ("accounts.reset_password", "token"): _token_in("reset_password", speaker.email),
        ("bootstrap.static", "filename"): "css/bootstrap.min.css",
        ("review.declare_conflict", "code"): second.code,  # keeps the reviewer's scoring page open
        ("schedule.speaker", "code"): version.snapshot["talks"][0]["speakers"][0]["code"],
        ("checkin.check_in_found", "code"): paid_order.attendees[0].code,  # a registration found at the door
    }
    return World(values=values, per_endpoint=per_endpoint)


def _review_world(edition, organizer, reviewer, proposal, conflicted) -> dict:
    """The review of ``proposal`` under way: a criterion, a team, the reviewer's themes,
    their assignment and review of ``proposal``, a bid, and a declared conflict with ``conflicted``."""
    criterion = review_settings.save_criterion(
        edition, review_settings.CriterionData(name="Relevance", scale_min=1, scale_max=5, weight=2), actor=organizer)
    team = review_expertise.save_team(edition, "Security", [], [reviewer.id], actor=organizer)
    review_expertise.set_reviewer_themes(edition, [edition.themes[0].id], actor=reviewer)
    assignment = assign(proposal, reviewer, actor=organizer)
    save_review(edition, proposal, ReviewData(scores={criterion.id: 4}, comment="Solid."), actor=reviewer)
    review_bids.set_bids(edition, {proposal.code: "eager"}, actor=reviewer)
    conflict = review_conflicts.declare_conflict(conflicted, actor=reviewer)
    db.session.commit()
    return {"criterion_id": criterion.id, "team_id": team.id, "assignment_id": assignment.id,
            "conflict_id": conflict.id}


def _schedule(edition, room, talk, organizer):
    """One day with a lunch break, the confirmed talk placed at 10:00, a published version."""
    day = setup.save_day(edition, edition.starts_on, time(9), time(18), actor=organizer)
    block = setup.save_block(edition, setup.BlockData("break", "Lunch", edition.starts_on, time(12), time(13), None,
                                                      True), actor=organizer)
    start = to_utc(datetime.combine(edition.starts_on, time(10)), edition.timezone)
    placement.place_talk(edition, talk, room, start, actor=organizer)
    version = versions.publish_version(edition, "First programme", actor=organizer)
    db.session.commit()
    return day, block, version


def url_values(rule, world: World) -> dict:
    """Valid values for every argument of ``rule`` ("x" for one the world does not know)."""
    return {arg: world.per_endpoint.get((rule.endpoint, arg), world.values.get(arg, "x"))
            for arg in rule.arguments}


def sign_in(client, role: str) -> None:
    """Sign ``client`` in through the login form as ``role`` (anonymous: do nothing)."""
    if role == "anonymous":
        return
    assert Auth(client).login(ACCOUNTS[role]).status_code == 302
