"""The shared core: time, money, codes, the permission decorator, the next check, form errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from convention.core.codes import ALPHABET, new_code, new_token
from convention.core.errors import DomainError
from convention.core.money import format_money, parse_money
from convention.core.permissions import guarded
from convention.core.timeutil import UTCDateTime, is_valid_timezone, to_local, to_utc
from convention.core.urls import external_url


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        (datetime(2027, 1, 15, 9, 0), "Europe/Brussels", datetime(2027, 1, 15, 8, 0, tzinfo=UTC)),
        (datetime(2027, 7, 15, 9, 0), "Europe/Brussels", datetime(2027, 7, 15, 7, 0, tzinfo=UTC)),
        (datetime(2027, 3, 28, 3, 30), "Europe/Brussels", datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),  # just after DST
        (datetime(2027, 7, 15, 9, 0), "America/New_York", datetime(2027, 7, 15, 13, 0, tzinfo=UTC)),
    ],
)
def test_to_utc_reads_naive_times_in_the_zone(local, zone, utc):
    assert to_utc(local, zone) == utc
    assert to_local(utc, zone).replace(tzinfo=None) == local


def test_to_local_names_the_zone_abbreviation():
    assert to_local(datetime(2027, 7, 1, 12, tzinfo=UTC), "Europe/Brussels").tzname() == "CEST"
    assert to_local(None) is None


def test_is_valid_timezone():
    assert is_valid_timezone("Europe/Brussels")
    assert is_valid_timezone("UTC")
    assert not is_valid_timezone("Europe/Atlantis")
    assert not is_valid_timezone("")


def test_utc_datetime_refuses_naive_values():
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2027, 1, 1), None)


def test_utc_datetime_round_trip_keeps_utc(db):
    from convention.audit.models import AuditEntry

    brussels = to_local(datetime(2027, 7, 1, 12, tzinfo=UTC), "Europe/Brussels")
    entry = AuditEntry(action="test", created_at=brussels, data={})
    db.session.add(entry)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).created_at == datetime(2027, 7, 1, 12, tzinfo=UTC)
    assert db.session.get(AuditEntry, entry.id).created_at.tzinfo is not None


@pytest.mark.parametrize(("cents", "currency", "text"), [
    (1250, "EUR", "€12.50"), (0, "EUR", "€0.00"), (-505, "EUR", "-€5.05"), (123456789, "USD", "$1,234,567.89"),
    (100, "SEK", "SEK 1.00")])
def test_format_money(cents, currency, text):
    assert format_money(cents, currency) == text


@pytest.mark.parametrize(("text", "cents"), [("12.50", 1250), ("12,5", 1250), (" 7 ", 700), ("0.01", 1)])
def test_parse_money(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize("text", ["abc", "1.234", "", "1e400x"])
def test_parse_money_refuses_non_amounts(text):
    with pytest.raises(ValueError):
        parse_money(text)


def test_codes_use_the_unambiguous_alphabet():
    code = new_code(12)
    assert len(code) == 12
    assert set(code) <= set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)
    assert len(new_token()) >= 43
    assert new_token() != new_token()


def test_external_url_uses_base_url_outside_requests(app):
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://convention.example/sub"
    try:
        assert external_url("accounts.login") == "https://convention.example/sub/login"
    finally:
        app.config["BASE_URL"] = saved


@pytest.fixture
def secret_app(make_app):
    """Routes guarded with hide=True and without, over a predicate that only admits 'ok'."""
    extra = make_app()

    def owner_only(user, item):
        return user is not None and item == "ok"

    def load(item):
        if item == "missing":
            from flask import abort

            abort(404)
        return {"item": item}

    @extra.get("/test-hidden/<item>")
    @guarded(owner_only, load=load, hide=True)
    def hidden(item):
        return "hidden " + item

    @extra.get("/test-visible/<item>")
    @guarded(owner_only, load=load)
    def visible(item):
        return "visible " + item

    return extra


def test_guarded_hide_answers_404_to_everyone_refused(secret_app, db):
    from tests.conftest import Auth
    from tests.factories import make_user

    client = secret_app.test_client()
    assert client.get("/test-hidden/secret").status_code == 404  # anonymous: no login prompt
    make_user(email="someone@example.org")
    Auth(client).login("someone@example.org")
    assert client.get("/test-hidden/secret").status_code == 404
    assert client.get("/test-visible/secret").status_code == 403
    assert client.get("/test-hidden/ok").get_data(as_text=True) == "hidden ok"
    assert client.get("/test-hidden/missing").status_code == 404


def test_guarded_marks_the_view_with_its_rule(secret_app):
    assert secret_app.view_functions["hidden"].access_rule == "owner_only"


def test_apply_domain_error_puts_message_on_field_or_form(app):
    from convention.accounts.forms import ProfileForm
    from convention.core.forms import apply_domain_error

    with app.test_request_context():
        form = ProfileForm(meta={"csrf": False})
        apply_domain_error(form, DomainError("Bad name", field="name"))
        apply_domain_error(form, DomainError("Whole form"))
        apply_domain_error(form, DomainError("Unknown field", field="nope"))
        assert form.name.errors == ["Bad name"]
        assert form.form_errors == ["Whole form", "Unknown field"]


def test_run_action_commits_on_success_and_rolls_back_a_refusal(app, db):
    from convention.accounts.models import User
    from convention.core.errors import DomainError
    from convention.core.views import run_action

    def add(email, refuse):
        db.session.add(User(email=email, name="N", password_hash="x"))
        db.session.flush()
        if refuse:
            raise DomainError("No.")
        return email

    assert run_action(lambda: add("kept@example.org", False), done=lambda r: ("done", r), refused=str) == (
        "done", "kept@example.org")
    assert run_action(lambda: add("gone@example.org", True), done=lambda r: ("done", r), refused=str) == "No."
    db.session.expire_all()
    emails = set(db.session.scalars(db.select(User.email)))
    assert emails == {"kept@example.org"}
