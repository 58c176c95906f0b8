"""A person downloads everything held about them, as JSON; the download is audited."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.models import AuditEntry
from tests.conftest import post_form
from tests.world import ACCOUNTS, build_world


def test_export_holds_the_persons_rows_and_only_theirs(db, client, auth):
    build_world()
    sofia = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["speaker"]))
    auth.login(sofia.email)
    assert client.get("/account/privacy/export").status_code == 405  # a GET never writes
    response = post_form(client, "/account/privacy/export", {}, page="/account/privacy")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.json
    assert document["account"]["email"] == sofia.email and "password_hash" not in document["account"]
    titles = {proposal["title"] for proposal in document["proposals"]}
    assert {"Second talk", "Scheduled talk", "Hardening DNS resolvers for small ISPs"} <= titles
    assert [profile["display_name"] for profile in document["speaker_profiles"]] == ["Sofia S."]
    assert {a["filename"] for a in document["attachments"]} == {"slides.pdf"}
    assert {o["user_id"] for o in document["orders"]} == {sofia.id}  # her free speaker ticket
    assert any(m["template"] == "reset_password" for m in document["mail"])
    assert document["reviews"] == [] and all("secret" not in o for o in document["orders"])
    assert {e["actor_id"] for e in document["audit"]} == {sofia.id}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.export"))
    assert entry.actor_id == sofia.id and entry.data["proposals"] == len(document["proposals"])


def test_a_reviewer_finds_their_reviews(db, client, auth):
    build_world()
    auth.login(ACCOUNTS["reviewer"])
    document = post_form(client, "/account/privacy/export", {}, page="/account/privacy").json
    assert [review["comment"] for review in document["reviews"]] == ["Solid."]
    assert len(document["scores"]) == 1 and document["bids"] and document["conflicts"]
    assert document["proposals"] == []
