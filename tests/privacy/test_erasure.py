"""A person deletes their account: their personal data is gone from every table, except
talks of a published programme (with the name they chose to publish) and orders kept
without names for the accounts; the audit log keeps only a pseudonymous id."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.models import AuditClientAddress, AuditEntry
from convention.cfp.models import Proposal, SpeakerProfile
from convention.editions.models import Edition
from convention.registration.catalog import list_ticket_types
from convention.registration.models import Order
from convention.registration.settings import get_settings
from convention.registration.waiting_list import join_waiting_list
from convention.review.models import ProposalTotals, Review
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.registration.helpers import buy
from tests.world import ACCOUNTS, build_world

ADDRESS = "203.0.113.9"


def cells_mentioning(db, *texts) -> list[str]:
    """Every table.column, over every table, whose value mentions any of ``texts``."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                continue
            as_text = sa.func.lower(sa.cast(column, sa.Text))
            mentions = sa.or_(*(as_text.contains(text.lower(), autoescape=True) for text in texts))
            if db.session.scalar(sa.select(sa.func.count()).select_from(table).where(mentions)):
                found.append(f"{table.name}.{column.name}")
    return found


def _sofia_everywhere(db):
    """The world's speaker, also a buyer (with her own ticket) and on a waiting list."""
    build_world()
    sofia = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["speaker"]))
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    ticket = next(t for t in list_ticket_types(edition) if t.name == "Conference pass")
    buy(edition, {ticket: 1}, email=sofia.email, names=["Sofia Speaker"])
    join_waiting_list(
        edition,
        ticket,
        name="Sofia Speaker",
        email=sofia.email,
        quantity=1,
        consent_version=get_settings(edition).privacy_version,
    )
    db.session.commit()
    return sofia


def _delete(client, password=PASSWORD, **form):
    return post_form(
        client,
        "/account/privacy/delete",
        {"password": password, **form},
        page="/account/privacy",
        environ_base={"REMOTE_ADDR": ADDRESS},
    )


def test_deleting_an_account_leaves_no_personal_data_behind(db, client, auth):
    sofia = _sofia_everywhere(db)
    sofia_id = sofia.id
    published = {p.code for p in db.session.scalars(sa.select(Proposal).where(Proposal.title == "Scheduled talk"))}
    auth.login(ACCOUNTS["speaker"])
    exported = post_form(
        client, "/account/privacy/export", {}, page="/account/privacy", environ_base={"REMOTE_ADDR": ADDRESS}
    )
    assert exported.json["account"]["email"] == ACCOUNTS["speaker"]
    assert set(cells_mentioning(db, ACCOUNTS["speaker"], "Sofia Speaker", ADDRESS)) >= {
        "users.email",
        "users.name",
        "orders.email",
        "waiting_list_entries.name",
        "outbox_messages.recipient",
        "audit_client_addresses.address",
    }

    response = _delete(client, confirm="y")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    db.session.expire_all()

    assert cells_mentioning(db, ACCOUNTS["speaker"], "Sofia Speaker", ADDRESS) == []
    tombstone = db.session.get(User, sofia_id)
    assert tombstone.name == "" and tombstone.password_hash == "!"
    # The published talk stays, with the name she chose to publish; her other ones are gone.
    kept = db.session.scalars(sa.select(Proposal).where(Proposal.speakers.any())).all()
    assert {p.code for p in kept if p.speaker_names == "Sofia S."} == published
    profile = db.session.scalar(sa.select(SpeakerProfile).where(SpeakerProfile.user_id == sofia_id))
    assert (profile.display_name, profile.biography, profile.photo_name) == ("Sofia S.", "", None)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(Proposal.title.in_(["Second talk", "Hardening DNS resolvers for small ISPs"]))
        )
        == 0
    )
    # Her orders (the one she bought, the speaker's free ticket) stay for the accounts, nameless.
    orders = db.session.scalars(sa.select(Order).where(Order.email == "")).all()
    assert len(orders) == 2 and {o.buyer_name for o in orders} == {""}
    assert {a.name for o in orders for a in o.attendees} == {"anonymised"}
    # The audit log records it by pseudonymous id, and keeps no address of hers.
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.account_deleted"))
    assert entry.actor_id == sofia_id and entry.data["proposals_kept"] == 1
    assert db.session.scalar(sa.select(AuditClientAddress).where(AuditClientAddress.actor_id == sofia_id)) is None
    # Signed out, and she cannot sign in again.
    assert client.get("/account").status_code == 302
    assert auth.login(ACCOUNTS["speaker"]).status_code != 302


def test_a_reviewer_leaving_takes_their_reviews_and_the_totals_follow(db, client, auth):
    build_world()
    rita = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["reviewer"]))
    reviewed = db.session.scalar(sa.select(Review.proposal_id).where(Review.user_id == rita.id))
    assert db.session.get(ProposalTotals, reviewed) is not None
    auth.login(rita.email)
    assert _delete(client, confirm="y").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
    assert db.session.get(ProposalTotals, reviewed) is None
    assert cells_mentioning(db, ACCOUNTS["reviewer"], "Rita Reviewer") == []


def test_a_wrong_password_or_no_confirmation_deletes_nothing(db, client, auth):
    build_world()
    auth.login(ACCOUNTS["speaker"])
    assert _delete(client, password="not my password", confirm="y").status_code == 422
    assert _delete(client).status_code == 422
    assert db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["speaker"])).name == "Sofia Speaker"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.account_deleted")) is None
