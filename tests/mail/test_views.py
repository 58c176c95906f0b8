"""The outbox pages: admin only, escaped, and the retry and send-due buttons work."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.core.timeutil import utcnow
from convention.editions.models import Role
from convention.mail.models import MessageStatus, OutboxMessage
from convention.mail.services import MAX_ATTEMPTS, queue_email, send_due_messages
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user


def add_message(db, **overrides) -> OutboxMessage:
    values = {
        "template": "test_message", "sender": "cfp@convention.test", "recipient": "ada@example.org",
        "subject": "Hello", "body_text": "Body\n", "status": MessageStatus.KEPT,
    }
    values.update(overrides)
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def sign_in_as(auth, role: str):
    """Sign in as a person with ``role``: anonymous, user, organizer or admin."""
    if role == "anonymous":
        return
    if role == "organizer":
        user = make_user()
        give_role(make_edition(), user, Role.ORGANIZER)
    else:
        user = make_user(is_admin=(role == "admin"))
    response = auth.login(user.email)
    assert response.status_code == 302


def csrf_token(client, role: str) -> str:
    page = "/login" if role == "anonymous" else "/account"
    return csrf_token_from(client.get(page).get_data(as_text=True))


ROLES_AND_STATUS = [("anonymous", 302), ("user", 403), ("organizer", 403), ("admin", 200)]


@pytest.mark.parametrize(("role", "expected"), ROLES_AND_STATUS)
@pytest.mark.parametrize("page", ["/admin/outbox/", "/admin/outbox/{id}", "/admin/outbox/?status=failed"])
def test_outbox_pages_are_for_site_admins_only(db, client, auth, role, expected, page):
    message = add_message(db)
    sign_in_as(auth, role)
    response = client.get(page.format(id=message.id))
    assert response.status_code == expected
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("role", "expected"), [(r, 302 if r in ("anonymous", "admin") else s) for r, s in ROLES_AND_STATUS])
@pytest.mark.parametrize("action", ["/admin/outbox/{id}/retry", "/admin/outbox/send-due"])
def test_outbox_buttons_are_for_site_admins_only(db, client, auth, role, expected, action):
    message = add_message(db, status=MessageStatus.FAILED)
    sign_in_as(auth, role)
    response = client.post(action.format(id=message.id), data={"csrf_token": csrf_token(client, role)})
    assert response.status_code == expected
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")
    if role != "admin":
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message.id).status is MessageStatus.FAILED


def test_outbox_button_without_csrf_token_is_refused(db, client, auth):
    message = add_message(db, status=MessageStatus.FAILED)
    sign_in_as(auth, "admin")
    response = client.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is MessageStatus.FAILED


def test_outbox_message_page_of_unknown_message_is_404(client, auth):
    sign_in_as(auth, "admin")
    assert client.get("/admin/outbox/999999").status_code == 404


def test_outbox_shows_subject_and_body_escaped(db, client, auth):
    message = add_message(
        db, subject="<script>alert('subject')</script>", body_text="Hi <b>there</b>\n<script>alert('body')</script>\n"
    )
    sign_in_as(auth, "admin")
    listing = client.get("/admin/outbox/").get_data(as_text=True)
    detail = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    for html in (listing, detail):
        assert "<script>alert(" not in html
        assert "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" in html
    assert "Hi &lt;b&gt;there&lt;/b&gt;\n&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in detail


def test_outbox_lists_kept_message_and_explains_there_is_no_mail_server(db, client, auth):
    queue_email("test_message", to="kept@example.org", context={"base_url": "x"})
    db.session.commit()
    sign_in_as(auth, "admin")
    html = client.get("/admin/outbox/?status=kept").get_data(as_text=True)
    assert "No mail server is configured" in html
    assert "kept@example.org" in html
    assert "Test message from the convention system" in html


def test_kept_message_page_has_no_send_button_without_mail_server(db, client, auth):
    message = add_message(db)
    sign_in_as(auth, "admin")
    html = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "Send now" not in html and "Retry now" not in html


def test_outbox_paginates_fifty_per_page(db, client, auth):
    db.session.add_all(
        OutboxMessage(template="t", sender="a@b.c", recipient=f"p{n}@example.org", subject=f"Message {n}",
                      body_text="b", status=MessageStatus.KEPT)
        for n in range(51)
    )
    db.session.commit()
    sign_in_as(auth, "admin")
    first = client.get("/admin/outbox/").get_data(as_text=True)
    second = client.get("/admin/outbox/?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Message 50<" in first and "Message 0<" not in first
    assert "Page 2 of 2" in second and "Message 0<" in second and "Message 1<" not in second


def test_failed_message_is_visible_and_the_admin_retry_button_sends_it(db, client, auth, smtp):
    smtp.refuse("451 4.3.0 Try again later")
    message = queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    db.session.commit()
    for _ in range(MAX_ATTEMPTS - 1):
        db.session.expire_all()
        send_due_messages(now=db.session.get(OutboxMessage, message.id).next_attempt_at)
    sign_in_as(auth, "admin")

    listing = client.get("/admin/outbox/?status=failed").get_data(as_text=True)
    assert "ada@example.org" in listing
    assert '<span class="badge status-failed">failed</span>' in listing
    detail = client.get(f"/admin/outbox/{message.id}")
    html = detail.get_data(as_text=True)
    assert f"after {MAX_ATTEMPTS} attempt(s)" in html
    assert "SMTPDataError: (451, b&#39;4.3.0 Try again later&#39;)" in html
    assert "Retry now" in html

    smtp.accept()
    response = client.post(
        f"/admin/outbox/{message.id}/retry", data={"csrf_token": csrf_token_from(html)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Retried: the message is now sent." in page
    assert '<span class="badge status-sent">sent</span>' in page
    assert len(smtp.received) == 1


def test_send_due_button_sends_due_messages(db, client, auth, smtp):
    smtp.refuse("451 4.3.0 Later")
    queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    db.session.commit()
    smtp.accept()
    with db.engine.begin() as conn:
        conn.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
    sign_in_as(auth, "admin")
    token = csrf_token_from(client.get("/admin/outbox/").get_data(as_text=True))
    response = client.post("/admin/outbox/send-due", data={"csrf_token": token}, follow_redirects=True)
    assert "Tried 1 due message(s): 1 sent." in response.get_data(as_text=True)
    assert len(smtp.received) == 1


def test_an_outbox_page_past_the_end_shows_the_last_page(client, auth, db, monkeypatch):
    from convention.mail import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        add_message(db, recipient=f"r{n}@example.org")
    sign_in_as(auth, "admin")
    html = client.get("/admin/outbox/?page=999").get_data(as_text=True)
    assert "Page 3 of 3" in html
    assert "r0@example.org" in html  # the oldest message, alone on the last page
    html = client.get("/admin/outbox/?page=99999999999999999999&status=kept").get_data(as_text=True)
    assert "Page 1 of 3" in html  # a page number beyond any integer column is no page at all: the first
