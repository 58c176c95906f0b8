"""Account rules: sign-up, confirmation, login, password reset, profile."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from convention.accounts.models import NAME_MAX, User
from convention.accounts.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from convention.audit.services import record_audit
from convention.core.errors import Conflict, DomainError
from convention.core.i18n import LANGUAGES
from convention.core.text import check_text
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.extensions import db
from convention.mail.services import queue_email

CONFIRM_SALT = "accounts.confirm-email"
RESET_SALT = "accounts.reset-password"


class InvalidLink(DomainError):
    """A confirmation or reset link that is forged, expired or already used."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


NAME_UNSHOWABLE = lazy_gettext("Your name contains characters that cannot be shown.")
NAME_MISSING = lazy_gettext("Please enter your name.")


def clean_name(name: str) -> str:
    """Collapse runs of white space; refuse what the one text rule (core.text) refuses."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(NAME_MISSING, field="name")
    check_text(name, field="name", message=NAME_UNSHOWABLE, empty=NAME_MISSING)
    if len(name) > NAME_MAX:
        raise DomainError(gettext("Names are limited to %(num)d characters.", num=NAME_MAX), field="name")
    return name


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def register_user(*, name: str, email: str, password: str, is_admin: bool = False, confirmed: bool = False) -> User:
    """Create an account and queue its confirmation email."""
    email = normalize_email(email)
    name = clean_name(name)
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise DomainError(" ".join(problems), field="password")
    if find_user_by_email(email) is not None:
        raise Conflict(gettext("An account with this email address already exists."), field="email")
    user = User(name=name, email=email, password_hash=hash_password(password), is_admin=is_admin)
    if confirmed:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:  # a parallel sign-up won the race
        raise Conflict(gettext("An account with this email address already exists."), field="email") from exc
    record_audit("account.create", actor=user, target=user)
    if not confirmed:
        send_confirmation(user)
    return user


def sign_up(*, name: str, email: str, password: str) -> User | None:
    """The sign-up form: the same answer whether or not the address has an account.

    A new address gets an account and its confirmation email. A known one gets no
    account: its owner is told by email instead, and the caller learns nothing the
    person at the form could see (the password is hashed all the same, so the
    answer takes as long). Returns the new user, or None.
    """
    email = normalize_email(email)
    name = clean_name(name)
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise DomainError(" ".join(problems), field="password")
    owner = find_user_by_email(email)
    if owner is None:
        try:
            return register_user(name=name, email=email, password=password)
        except Conflict:  # a parallel sign-up with this address won the race
            owner = find_user_by_email(email)
            if owner is None:
                return None
    else:
        hash_password(password)
    _tell_owner_of_sign_up_attempt(owner)
    return None


def _tell_owner_of_sign_up_attempt(owner: User) -> None:
    queue_email("account_exists", to=owner.email, context={
        "user": owner,
        "login_link": external_url("accounts.login"),
        "reset_link": external_url("accounts.forgot_password"),
    })


def send_confirmation(user: User) -> None:
    token = _serializer(CONFIRM_SALT).dumps({"id": user.id, "email": user.email})
    link = external_url("accounts.confirm_email", token=token)
    queue_email("confirm_email", to=user.email, context={"user": user, "link": link})


def user_for_confirm_token(token: str) -> User:
    """The account a confirmation link is for (it changes nothing), or InvalidLink."""
    try:
        data = _serializer(CONFIRM_SALT).loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except SignatureExpired as exc:
        raise InvalidLink(gettext("This confirmation link has expired. Sign in to get a new one.")) from exc
    except BadSignature as exc:
        raise InvalidLink(gettext("This confirmation link is not valid.")) from exc
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise InvalidLink(gettext("This confirmation link is not valid."))
    return user


def confirm_email(token: str) -> User:
    user = user_for_confirm_token(token)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record_audit("account.confirm_email", actor=user, target=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; same answer and timing either way."""
    user = find_user_by_email(email)
    if user is None:
        burn_verification_time(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _reset_fingerprint(user: User) -> str:
    # Part of the current hash: once the password changes, every earlier link is dead.
    return user.password_hash[-16:]


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; says nothing either way."""
    user = find_user_by_email(email)
    if user is None:
        return
    token = _serializer(RESET_SALT).dumps({"id": user.id, "fp": _reset_fingerprint(user)})
    link = external_url("accounts.reset_password", token=token)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email("reset_password", to=user.email, context={"user": user, "link": link, "minutes": minutes})


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer(RESET_SALT).loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise InvalidLink(gettext("This reset link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise InvalidLink(gettext("This reset link is not valid.")) from exc
    user = db.session.get(User, data.get("id"))
    if user is None or data.get("fp") != _reset_fingerprint(user):
        raise InvalidLink(gettext("This reset link has already been used or is no longer valid."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password)
    # Following the link proves the person reads this mailbox.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    record_audit("account.reset_password", actor=user, target=user)
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user``: session and remember cookies carry the old token.

    The user loader compares the token on every request, so a copied or replayed
    cookie opens nothing once this ran (sign-out, password change and reset)."""
    user.session_token = secrets.token_urlsafe(24)


def set_password(user: User, new_password: str) -> None:
    problems = password_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise DomainError(" ".join(problems), field="password")
    user.password_hash = hash_password(new_password)
    end_sessions(user)


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError(gettext("Your current password is not correct."), field="current_password")
    set_password(user, new_password)
    record_audit("account.change_password", actor=user, target=user)


def update_profile(user: User, *, name: str, language: str | None = None) -> User:
    """Save the person's name and the language of their pages and mail ("" or None: the
    browser's language for pages, the sender's request language for mail)."""
    if language and language not in LANGUAGES:
        raise DomainError(gettext("Choose one of the offered languages."), field="language")
    user.name = clean_name(name)
    user.language = language or None
    record_audit("account.update_profile", actor=user, target=user)
    return user


def language_of_address(address: str) -> str | None:
    """The language saved on the account that owns ``address``, for mail sent to it."""
    return db.session.scalar(sa.select(User.language).where(User.email == normalize_email(address)))


def ensure_site_admin(*, email: str, name: str, password: str) -> tuple[User, str]:
    """Create a confirmed site admin, or make an existing account one; safe to repeat.

    Returns the user and what happened: "created", "promoted" or "unchanged". An
    existing account whose address was never confirmed may belong to someone who
    signed up with an address that is not theirs: it gets the given password (which
    also signs out all its sessions) before it becomes an admin.
    """
    user = find_user_by_email(email)
    if user is None:
        return register_user(name=name, email=email, password=password, is_admin=True, confirmed=True), "created"
    if user.is_admin and user.email_confirmed:
        return user, "unchanged"
    if not user.email_confirmed:
        set_password(user, password)
        user.email_confirmed_at = utcnow()
    user.is_admin = True
    record_audit("account.make_admin", actor=None, target=user)
    return user, "promoted"


def load_user_from_session(user_id: str) -> User | None:
    """Flask-Login's loader: the cookie holds "<id>:<session token>"."""
    raw_id, _, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not secrets.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user
