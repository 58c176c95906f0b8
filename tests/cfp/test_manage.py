"""The organizer's side: the proposal table (filters, sorting, query count), counts, CSV
export, custom questions and personal late links."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.cfp import call, late_grants, services, submission
from convention.cfp import manage_services as manage
from convention.cfp.history import proposal_history
from convention.cfp.models import (
    Answer,
    AudienceLevel,
    Language,
    LateSubmissionGrant,
    Proposal,
    ProposalSpeaker,
    Question,
)
from convention.cfp.speaker_services import get_or_create_profile
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db as _db
from tests.cfp.helpers import emails_to, make_proposal, make_question
from tests.conftest import csrf_token_from, post_form
from tests.factories import make_user
from tests.queries import count_queries
from tests.streaming import fetch_in_a_thread

S = ProposalState


def bulk_proposals(edition, count: int, *, start: int = 0) -> None:
    """``count`` proposals with one or two speakers each, inserted directly (fast)."""
    edition = _db.session.scalar(sa.select(Edition).where(Edition.slug == "cfp-test"))  # may come back detached
    users = [make_user(name=f"Bulk Speaker {start + n}") for n in range(3)]
    profiles = [get_or_create_profile(edition, user) for user in users]
    states = list(ProposalState)
    for n in range(start, start + count):
        proposal = Proposal(
            edition_id=edition.id, title=f"Proposal number {n:04d}", theme_id=edition.themes[n % 6].id,
            format_id=edition.formats[n % 5].id, level=list(AudienceLevel)[n % 3], language=list(Language)[n % 4],
            abstract="An abstract.", state=states[n % len(states)],
        )
        proposal.speakers.append(ProposalSpeaker(profile=profiles[n % 3], is_submitter=True))
        if n % 2:
            proposal.speakers.append(ProposalSpeaker(profile=profiles[(n + 1) % 3]))
        _db.session.add(proposal)
    _db.session.commit()


def test_proposal_table_query_count_is_the_same_for_10_and_500(client, auth, edition, organizer):
    auth.login(organizer.email)
    bulk_proposals(edition, 10)
    with count_queries() as few:
        small = client.get("/cfp-test/manage/proposals/")
    bulk_proposals(edition, 490, start=10)
    with count_queries() as many:
        large = client.get("/cfp-test/manage/proposals/")
    assert small.status_code == large.status_code == 200
    assert small.get_data(as_text=True).count('<tr>\n      <td><code>') == 10
    assert large.get_data(as_text=True).count('<tr>\n      <td><code>') == manage.TABLE_PAGE_SIZE  # one page
    assert len(few) == len(many), (few, many)
    with count_queries() as last:
        client.get("/cfp-test/manage/proposals/?page=10")
    assert len(last) == len(many), (last, many)


def test_the_table_loads_only_the_columns_it_shows(client, auth, edition, organizer):
    auth.login(organizer.email)
    bulk_proposals(edition, 3)
    with count_queries() as queries:
        client.get("/cfp-test/manage/proposals/")
    table = [q.lower() for q in queries if "cfp_proposals" in q.lower() or "cfp_proposal_speakers" in q.lower()]
    assert any("limit" in q for q in table), table
    # The signed-in user's own row is loaded by the login; the table loads no account, no abstract.
    assert not any("users." in q or "abstract" in q or "description" in q for q in table), table


def test_the_pager_keeps_filters_and_sort_and_shows_every_proposal_once(client, auth, edition, organizer):
    auth.login(organizer.email)
    bulk_proposals(edition, 240)
    dutch = Language.DUTCH.value
    base = f"/cfp-test/manage/proposals/?language={dutch}&sort=title&dir=asc"
    first = client.get(base).get_data(as_text=True)
    links = set(re.findall(r'href="(/cfp-test/manage/proposals/\?page=[^"]*)"', first))
    assert links == {f"/cfp-test/manage/proposals/?page=2&amp;language={dutch}&amp;sort=title&amp;dir=asc"}, links
    seen = []
    for number in (1, 2):
        html = client.get(f"{base}&page={number}").get_data(as_text=True)
        assert f"Page {number} of 2" in html
        seen += re.findall(r">Proposal number (\d{4})<", html)
    assert seen == [f"{n:04d}" for n in range(240) if n % 4 == 1]  # Dutch: every fourth, by title
    assert "Page 2 of 2" in client.get(f"{base}&page=999").get_data(as_text=True)


def test_csv_export_query_count_does_not_grow(client, auth, edition, organizer):
    make_question(edition, organizer)
    make_question(edition, organizer, label="Sector", kind="text")
    auth.login(organizer.email)
    bulk_proposals(edition, 5)
    with count_queries() as few:
        client.get("/cfp-test/manage/proposals/export.csv")
    bulk_proposals(edition, 60, start=5)
    with count_queries() as many:
        client.get("/cfp-test/manage/proposals/export.csv")
    assert len(few) == len(many)


def test_csv_export_reads_proposals_in_batches(client, auth, edition, organizer, monkeypatch):
    """Rows come from the database EXPORT_BATCH at a time, all from one statement (speakers
    joined, answers as sub-selects), so memory stays flat and three batches cost no more
    queries than one. The bytes equal the whole-file export."""
    make_question(edition, organizer)
    auth.login(organizer.email)
    monkeypatch.setattr(manage, "EXPORT_BATCH", 4)
    bulk_proposals(edition, 4)
    with count_queries() as one_batch:
        small = client.get("/cfp-test/manage/proposals/export.csv")
        small.get_data()
    bulk_proposals(edition, 8, start=4)
    with count_queries() as three_batches:
        large = client.get("/cfp-test/manage/proposals/export.csv")
        streamed = large.is_streamed  # before reading: reading buffers the body
        text = large.get_data(as_text=True)
    assert streamed and text.count("\r\n") == 13
    assert len(three_batches) == len(one_batch), (one_batch, three_batches)
    edition, organizer = _db.session.merge(edition), _db.session.merge(organizer)
    whole = manage.export_csv(edition, manage.ProposalFilter(), viewer=organizer)
    assert text == "\ufeff" + whole


def test_streamed_csv_export_reads_its_rows_after_the_view_returned(client, auth, edition, organizer, speaker):
    question = make_question(edition, organizer, label="First talk?")
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED, answers={question.id: "yes"})
    auth.login(organizer.email)
    code = proposal.code
    text = fetch_in_a_thread(client, "/cfp-test/manage/proposals/export.csv")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(row[0], row[8], row[-1]) for row in rows] == [(code, "Sofia Speaker", "yes")]


def test_filters_combine(db, edition, organizer):
    bulk_proposals(edition, 48)
    theme = edition.themes[1]
    flt = manage.ProposalFilter(theme_id=theme.id, language=Language.DUTCH)
    rows = manage.list_proposals(edition, flt, viewer=organizer)
    assert {p.title for p in rows} == {f"Proposal number {n:04d}" for n in range(48) if n % 6 == 1 and n % 4 == 1}
    flt = manage.ProposalFilter(state=S.CONFIRMED, format_id=edition.formats[0].id)
    rows = manage.list_proposals(edition, flt, viewer=organizer)
    assert all(p.state is S.CONFIRMED and p.format_id == edition.formats[0].id for p in rows) and rows


def test_search_matches_title_code_and_speaker(db, edition, speaker, organizer):
    proposal = make_proposal(edition, speaker, title="Zebra stripes in DNS")
    bulk_proposals(edition, 3)
    for search in ("zebra", proposal.code.lower(), "sofia"):
        found = manage.list_proposals(edition, manage.ProposalFilter(search=search), viewer=organizer)
        assert [p.code for p in found] == [proposal.code]


def test_sorting_by_title_both_ways(client, auth, edition, organizer):
    bulk_proposals(edition, 4)
    auth.login(organizer.email)
    up = client.get("/cfp-test/manage/proposals/?sort=title&dir=asc").get_data(as_text=True)
    down = client.get("/cfp-test/manage/proposals/?sort=title&dir=desc").get_data(as_text=True)
    titles = [f"Proposal number {n:04d}" for n in range(4)]
    assert [up.index(t) for t in titles] == sorted(up.index(t) for t in titles)
    assert [down.index(t) for t in titles] == sorted((down.index(t) for t in titles), reverse=True)


def test_bad_filter_values_are_ignored_not_fatal(client, auth, edition, organizer):
    bulk_proposals(edition, 3)
    auth.login(organizer.email)
    response = client.get("/cfp-test/manage/proposals/?theme=abc&state=nonsense&sort=password&dir=sideways&language=xx")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('<tr>\n      <td><code>') == 3


def test_counts_per_state_theme_and_format(db, edition, organizer, speaker):
    make_proposal(edition, speaker, state=S.SUBMITTED)
    make_proposal(edition, speaker, state=S.ACCEPTED, organizer=organizer, theme_id=edition.themes[2].id)
    make_proposal(edition, speaker, state=S.DRAFT, theme_id=edition.themes[2].id)
    counts = manage.proposal_counts(edition)
    assert counts.total == 3
    assert counts.by_state == {S.SUBMITTED: 1, S.ACCEPTED: 1, S.DRAFT: 1}
    assert [(t.name, n) for t, n in counts.by_theme][:3] == [
        (edition.themes[0].name, 1), (edition.themes[1].name, 0), (edition.themes[2].name, 1)]
    assert dict((f.name, n) for f, n in counts.by_format)[edition.formats[0].name] == 2


# -- CSV ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+32 2 555", "'+32 2 555"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("plain", "plain"), ("", ""), (None, ""), (42, "42")],
)
def test_csv_safe_neutralises_formulas(value, expected):
    assert manage.csv_safe(value) == expected


def test_csv_export_content(client, auth, edition, organizer, speaker, co_speaker):
    question = make_question(edition, organizer, label="First talk?")
    proposal = make_proposal(
        edition, speaker, state=S.SUBMITTED, co_speakers=[co_speaker], title='=HYPERLINK("http://evil","click")',
        abstract="Line one,\nline two", notes="@admin please", answers={question.id: "yes"},
    )
    make_proposal(edition, speaker, state=S.DRAFT, title="A draft")
    auth.login(organizer.email)
    response = client.get("/cfp-test/manage/proposals/export.csv?state=submitted")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=cfp-test-proposals.csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffcode,title,state,")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[-1] == "First talk?"
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["code"] == proposal.code
    assert row["title"] == "'=HYPERLINK(\"http://evil\",\"click\")"
    assert row["abstract"] == "Line one,\nline two"
    assert row["notes"] == "'@admin please"
    assert row["speakers"] == "Sofia Speaker, Carl Cospeaker"
    assert row["speaker_emails"] == "sofia@example.org, carl@example.org"
    assert (row["state"], row["theme"], row["duration_minutes"], row["First talk?"]) == (
        "submitted", edition.themes[0].name, str(edition.formats[0].duration_minutes), "yes")


# -- questions -------------------------------------------------------------------------------------------


def test_organizer_adds_a_choice_question_that_appears_on_the_form(client, auth, edition, organizer, speaker):
    auth.login(organizer.email)
    bad = post_form(client, "/cfp-test/manage/proposals/questions/new",
                    {"label": "Sector?", "kind": "choice", "choices": "Only one"})
    assert bad.status_code == 422
    assert "Give at least two choices, one a line." in bad.get_data(as_text=True)
    good = post_form(client, "/cfp-test/manage/proposals/questions/new",
                     {"label": "Sector?", "kind": "choice", "choices": "Health\n\nFinance\n", "required": "y"})
    assert good.status_code == 302
    question = _db.session.scalar(sa.select(Question))
    assert (question.choice_list, question.required) == (["Health", "Finance"], True)
    auth.logout()
    auth.login(speaker.email)
    html = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
    assert f'name="q_{question.id}"' in html and "Sector?" in html


def test_deleting_a_question_deletes_its_answers(client, auth, edition, organizer, speaker):
    question = make_question(edition, organizer)
    make_proposal(edition, speaker, answers={question.id: "yes"})
    auth.login(organizer.email)
    response = post_form(client, f"/cfp-test/manage/proposals/questions/{question.id}/delete", {},
                         page="/cfp-test/manage/proposals/questions/")
    assert response.status_code == 302
    assert _db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
    assert _db.session.scalar(sa.select(sa.func.count(Question.id))) == 0


# -- late links -------------------------------------------------------------------------------------------


def test_organizer_sends_a_late_link_that_the_speaker_claims(client, auth, edition, organizer, speaker):
    edition.cfp_closes_at = utcnow() - timedelta(hours=1)
    _db.session.commit()
    auth.login(organizer.email)
    response = post_form(client, "/cfp-test/manage/proposals/late-links",
                         {"email": "sofia@example.org", "expires_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    (mail,) = emails_to("sofia@example.org", "cfp_late_link")
    link = "/" + mail.body_text.split("http://", 1)[1].split("/", 1)[1].split()[0]
    auth.logout()
    auth.login(speaker.email)
    assert "/cfp-test/cfp/submit" not in client.get("/cfp-test/cfp/").get_data(as_text=True).split("</nav>", 1)[1]
    page = client.get(link)
    assert "Use my personal link" in page.get_data(as_text=True)
    claimed = client.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert claimed.headers["Location"] == "/cfp-test/cfp/"
    html = client.get("/cfp-test/cfp/").get_data(as_text=True)
    assert "Your personal link lets you submit and edit until" in html
    assert client.get("/cfp-test/cfp/submit").get_data(as_text=True).count('name="title"') == 1


def test_revoked_late_link_stops_working(db, edition, organizer, speaker):
    edition.cfp_closes_at = utcnow() - timedelta(hours=1)
    grant, _ = late_grants.create_late_grant(edition, speaker.email, utcnow() + timedelta(days=1), actor=organizer)
    late_grants.claim_late_grant(grant, actor=speaker)
    late_grants.revoke_late_grant(edition, grant, actor=organizer)
    _db.session.commit()
    assert call.call_is_open_for(edition, speaker) is False
    assert _db.session.scalar(sa.select(LateSubmissionGrant.revoked_at)) is not None


def test_late_link_in_the_past_is_refused(client, auth, edition, organizer):
    auth.login(organizer.email)
    response = post_form(client, "/cfp-test/manage/proposals/late-links",
                         {"email": "x@example.org", "expires_at": "2020-01-01T10:00"})
    assert response.status_code == 422
    assert "The link must stay valid until a moment in the future." in response.get_data(as_text=True)


# -- the history of a proposal reads as sentences -------------------------------------------------


def test_proposal_history_reads_created_by_not_create_by(client, auth, db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED)
    from tests.cfp.helpers import proposal_data

    services.update_proposal(proposal, proposal_data(edition, title="A sharper title", theme_id=edition.themes[1].id),
                             actor=speaker)
    submission.set_proposal_state(proposal, ProposalState.ACCEPTED, actor=organizer)
    _db.session.commit()
    lines = proposal_history(proposal)
    assert [(line.text, line.actor, line.detail) for line in lines] == [
        ("Accepted", "Olivia Organizer", ""),
        ("Edited", "Sofia Speaker", "theme, title"),
        ("Submitted", "Sofia Speaker", ""),
        ("Created", "Sofia Speaker", ""),
    ]
    auth.login(organizer.email)
    html = client.get(f"/cfp-test/manage/proposals/{proposal.code}").get_data(as_text=True)
    history = html.split('class="small list-unstyled mb-0 cfp-history">', 1)[1].split("</ul>", 1)[0]
    assert 'Created <span class="text-secondary">by Sofia Speaker</span></li>' in history
    assert 'Edited <span class="text-secondary">by Sofia Speaker</span>: theme, title</li>' in history
    assert "create by" not in history and "create <span" not in history
