"""Script typed into any text field comes out escaped (plain text) or removed (Markdown),
on every page that shows it."""

from __future__ import annotations

import io

import pytest

from convention.cfp import attachments, cospeakers
from convention.cfp.markup import render_markdown
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.extensions import db
from tests.cfp.helpers import make_proposal, make_question, pdf_bytes
from tests.factories import make_user

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x onerror")


def assert_clean(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} unescaped on {where}"


@pytest.fixture
def hostile(edition, organizer, speaker):
    """A proposal with the payload in every text field a person can type."""
    question = make_question(edition, organizer, label="Prior talks " + PAYLOAD, kind="text")
    choice = make_question(edition, organizer, label="Sector", kind="choice", choices=f"Health\n{PAYLOAD}")
    co_speaker = make_user(name="Eve " + PAYLOAD, email="eve@example.org")
    proposal = make_proposal(
        edition, speaker, state=ProposalState.SUBMITTED, co_speakers=[co_speaker],
        title="Title " + PAYLOAD, abstract="Abstract " + PAYLOAD, description="Description " + PAYLOAD,
        notes="Notes " + PAYLOAD, answers={question.id: "Answer " + PAYLOAD, choice.id: PAYLOAD},
    )
    update_speaker_profile(
        edition,
        ProfileData(display_name="Sofia " + PAYLOAD, biography="Bio " + PAYLOAD, organisation="Org " + PAYLOAD,
                    job_title="Job " + PAYLOAD, links='https://sofia.example/"><script>alert(1)</script>'),
        actor=speaker,
    )
    attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename=PAYLOAD + ".pdf", actor=speaker)
    db.session.commit()
    return proposal


def test_script_is_escaped_on_every_speaker_page(client, auth, edition, speaker, hostile):
    auth.login(speaker.email)
    base = f"/{edition.slug}/cfp"
    pages = [
        f"{base}/", f"{base}/proposals/", f"{base}/proposals/{hostile.code}", f"{base}/proposals/{hostile.code}/edit",
        f"{base}/proposals/{hostile.code}/state/withdraw", f"{base}/profile", f"{base}/submit",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_clean(response.get_data(as_text=True), page)
    detail = client.get(f"{base}/proposals/{hostile.code}").get_data(as_text=True)
    for escaped in ("Title &lt;script&gt;", "Abstract &lt;script&gt;", "Notes &lt;script&gt;", "Answer &lt;script&gt;",
                    "Prior talks &lt;script&gt;", "Sofia &lt;script&gt;", "Eve &lt;script&gt;", "Org &lt;script&gt;",
                    "Job &lt;script&gt;"):
        assert escaped in detail, escaped
    assert "<p>Description </p>" in detail  # Markdown: the tags are removed, not shown
    assert "<p>Bio </p>" in detail
    assert 'href="https://sofia.example/&#34;&gt;&lt;script&gt;' in detail


def test_script_is_escaped_on_every_organizer_page(client, auth, edition, organizer, hostile):
    auth.login(organizer.email)
    pages = [
        f"/{edition.slug}/manage/proposals/", f"/{edition.slug}/manage/proposals/{hostile.code}",
        f"/{edition.slug}/manage/proposals/questions/",
        f"/{edition.slug}/manage/proposals/?q=script", f"/{edition.slug}/manage/proposals/?sort=title",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_clean(response.get_data(as_text=True), page)
    assert "Notes &lt;script&gt;" in client.get(pages[1]).get_data(as_text=True)


def test_invitation_page_escapes_the_title(client, edition, speaker, hostile):
    from tests.cfp.helpers import emails_to, link_in

    cospeakers.invite_co_speaker(hostile, "friend@example.org", actor=speaker)
    db.session.commit()
    (mail,) = emails_to("friend@example.org", "cfp_invitation")
    html = client.get(link_in(mail)).get_data(as_text=True)
    assert "Title &lt;script&gt;" in html
    assert_clean(html, "invitation")


def test_attachment_name_is_reduced_to_safe_ascii(hostile):
    (attachment,) = hostile.attachments
    # Only the last path segment counts, like a browser sends it; then plain ASCII only.
    assert attachment.filename == "script-img-src-x-onerror-alert-1.pdf"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold** and *it*", "<p><strong>bold</strong> and <em>it</em></p>"),
        ("<script>alert(1)</script>hi", "<p>hi</p>"),
        ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer nofollow">x</a></p>'),
        ("[x](https://a.example)", '<p><a href="https://a.example" rel="noopener noreferrer nofollow">x</a></p>'),
        ('<a href="https://a.example" onclick="evil()" rel="opener">x</a>',
         '<p><a href="https://a.example" rel="noopener noreferrer nofollow">x</a></p>'),
        ('<img src="x" onerror="alert(1)">', "<p></p>"),
        ("<style>body{}</style>text", "<p>text</p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("", ""),
    ],
)
def test_markdown_is_rendered_and_sanitised(source, expected):
    assert str(render_markdown(source)) == expected
