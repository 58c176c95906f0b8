"""A theme or format that proposals use cannot be deleted (the count says why), so no
proposal is ever left pointing at nothing and hidden from the table and the CSV."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp import manage_services as manage
from convention.cfp.states import ProposalState
from convention.core.errors import Conflict
from convention.editions import services as editions
from convention.editions.models import SessionFormat, Theme
from tests.cfp.helpers import make_proposal
from tests.conftest import post_form


@pytest.mark.parametrize(("kind", "attribute"), [("themes", "theme_id"), ("formats", "format_id")])
def test_deleting_a_used_theme_or_format_is_refused_with_the_count(db, edition, organizer, speaker, kind, attribute):
    items = edition.themes if kind == "themes" else edition.formats
    used, unused = items[0], items[1]
    for state in (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.WITHDRAWN):
        make_proposal(edition, speaker, state=state, **{attribute: used.id})
    label = editions.ITEM_KINDS[kind].label
    with pytest.raises(Conflict) as caught:
        editions.delete_item(edition, editions.ITEM_KINDS[kind], used, actor=organizer)
    assert caught.value.message == (
        f"This {label} is in use by 3 proposals and cannot be deleted.")
    db.session.rollback()
    model = Theme if kind == "themes" else SessionFormat
    assert db.session.get(model, used.id) is not None
    # Every proposal is still in the table and the CSV, as the counts say.
    listed = manage.list_proposals(edition, manage.ProposalFilter(), viewer=organizer)
    assert len(listed) == manage.proposal_counts(edition).total == 3
    assert manage.export_csv(edition, manage.ProposalFilter(), viewer=organizer).count("\r\n") == 4
    # An unused one goes.
    editions.delete_item(edition, editions.ITEM_KINDS[kind], unused, actor=organizer)
    db.session.commit()
    assert db.session.get(model, unused.id) is None


def test_one_proposal_is_said_in_the_singular_on_the_organizer_page(client, auth, db, edition, organizer, speaker):
    theme = edition.themes[0]
    make_proposal(edition, speaker, theme_id=theme.id)
    auth.login(organizer.email)
    url = f"/cfp-test/manage/themes/{theme.id}/delete"
    response = post_form(client, url, {}, page="/cfp-test/manage/", follow_redirects=True)
    assert "This theme is in use by 1 proposal and cannot be deleted." in (
        response.get_data(as_text=True))
    assert db.session.get(Theme, theme.id) is not None
    assert db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "theme.delete")).all() == []
