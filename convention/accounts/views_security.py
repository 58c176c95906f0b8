"""Account security pages: two-factor sign-in (setup, the sign-in code, turning it off,
new recovery codes) and "sign out everywhere". The rules are in accounts/two_factor.py.

Signing in with two-factor on is two steps: the password form (accounts/views.py) keeps
the account in the session as *pending* (``PENDING_KEY``) instead of signing in, and the
code page here finishes the sign-in. ``require_two_factor`` is the organizer and admin
areas' extra check (convention/areas.py).
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from convention.accounts import two_factor
from convention.accounts.forms import ConfirmTwoFactorForm, DisableTwoFactorForm, NewRecoveryCodesForm, SignInCodeForm
from convention.accounts.models import User
from convention.accounts.views import PENDING_KEY, _landing_of, _login_limit, _sign_in, _too_many_logins
from convention.core.errors import DomainError
from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded, public, signed_in
from convention.core.security import is_safe_next
from convention.core.views import run_action, run_button
from convention.extensions import db, limiter

bp = Blueprint("account_security", __name__)

SETUP_NEEDED = lazy_gettext("Organizer and admin pages need two-factor sign-in. Set it up to continue.")


def _safe_next() -> str | None:
    target = request.args.get("next")
    return target if is_safe_next(target) else None


# -- the organizer and admin areas' extra check --------------------------------------------


def require_two_factor(**_objects):
    """None when the signed-in person may go on; otherwise the way to the setup page."""
    if current_user.is_authenticated and two_factor.two_factor_required(current_user):
        flash(str(SETUP_NEEDED), "warning")
        return redirect(url_for("account_security.two_factor_page", next=request.full_path.rstrip("?")))
    return None


# -- sign-in, second step ------------------------------------------------------------------


def _pending_user() -> User | None:
    """The account whose password was just given, while the code page may finish its
    sign-in: for TWO_FACTOR_PENDING_SECONDS, and only while its sessions were not ended."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user = db.session.get(User, int(pending.get("id") or 0))
    if user is None or not user.two_factor_enabled or user.session_token != pending.get("token"):
        return None
    return user


def _pending_key() -> str:
    """Rate-limit key for the account being signed in to, whatever the client's address."""
    pending = session.get(PENDING_KEY)
    return "2fa:" + str(pending.get("id") if isinstance(pending, dict) else "")


def _account_key() -> str:
    """Rate-limit key for the signed-in account typing codes on its own pages."""
    return "2fa-account:" + str(current_user.get_id() or "").partition(":")[0]


# Codes typed by a signed-in person (setup, turning off, new recovery codes) are limited
# like sign-in, per account: a borrowed session must not guess its way to turning it off.
account_code_limit = limiter.shared_limit(
    _login_limit, scope="two-factor-account", key_func=_account_key, methods=["POST"], error_message=_too_many_logins
)


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=_too_many_logins)
@limiter.limit(_login_limit, methods=["POST"], key_func=_pending_key, error_message=_too_many_logins)
def sign_in_code():
    if current_user.is_authenticated:
        return redirect(_safe_next() or url_for("main.index"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(gettext("Please sign in with your password first."), "info")
        return redirect(url_for("accounts.login", next=_safe_next()))
    form = SignInCodeForm()

    def page(status=200):
        return render_template("accounts/sign_in_code.html", form=form), status

    if form.validate_on_submit():
        remember = bool(session[PENDING_KEY].get("remember"))
        return run_action(
            lambda: two_factor.verify_second_factor(user, form.code.data),
            done=lambda kind: _signed_in_with_code(user, kind, remember=remember),
            refused=lambda error: _refused_form(form, error, lambda: page(401)),
        )
    return page(422 if form.errors else 200)


def _refused_form(form, error: DomainError, render):
    apply_domain_error(form, error)
    return render()


def _signed_in_with_code(user: User, kind: str, *, remember: bool):
    session.pop(PENDING_KEY, None)
    _sign_in(user, remember=remember)
    if kind == "recovery":
        left = two_factor.recovery_codes_left(user)
        flash(
            ngettext(
                "You signed in with a recovery code; %(num)d is left. Make new ones on the two-factor page.",
                "You signed in with a recovery code; %(num)d are left. Make new ones on the two-factor page.",
                left,
            ),
            "warning",
        )
    return redirect(_safe_next() or _landing_of(user))


# -- the account's two-factor page -------------------------------------------------------------


def _setup_page(form=None, status=200):
    user = current_user
    return render_template(
        "accounts/two_factor.html",
        enabled=user.two_factor_enabled,
        secret=None if user.two_factor_enabled else user.totp_secret,
        secret_groups=_groups(user.totp_secret) if user.totp_secret and not user.two_factor_enabled else None,
        codes_left=two_factor.recovery_codes_left(user) if user.two_factor_enabled else None,
        confirm_form=form or ConfirmTwoFactorForm(),
        disable_form=DisableTwoFactorForm(prefix="disable"),
        recovery_form=NewRecoveryCodesForm(prefix="recovery"),
        action_form=ActionForm(),
        next=_safe_next(),
    ), status


def _groups(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _codes_page(codes: list[str]):
    # Shown once: never cached, never shown again.
    response = Response(render_template("accounts/recovery_codes.html", codes=codes, next=_safe_next()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/two-factor", methods=["GET", "POST"])
@guarded(signed_in)
@account_code_limit
def two_factor_page():
    """The status (on or off), the setup while unfinished, and its confirmation (POST)."""
    form = ConfirmTwoFactorForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        return run_action(
            lambda: two_factor.confirm_setup(user, form.code.data),
            done=lambda codes: _enabled(user, codes),
            refused=lambda error: _refused_form(form, error, lambda: _setup_page(form, 422)),
        )
    return _setup_page(form, 422 if form.errors else 200)


def _enabled(user: User, codes: list[str]):
    # Confirming ended every other session (they had no second factor): keep this one.
    _sign_in(user)
    flash(gettext("Two-factor sign-in is on. Other devices have been signed out."), "success")
    return _codes_page(codes)


@bp.post("/account/two-factor/start")
@guarded(signed_in)
def start_two_factor():
    user = current_user._get_current_object()
    return run_button(
        lambda: two_factor.start_setup(user),
        done=gettext("Add the account to your authenticator app, then type the code it shows."),
        back=url_for("account_security.two_factor_page", next=_safe_next()),
    )


@bp.get("/account/two-factor/qr.svg")
@guarded(signed_in)
def two_factor_qr():
    """The QR code of the setup's otpauth:// address, while the setup is unfinished."""
    user = current_user
    if user.two_factor_enabled or not user.totp_secret:
        abort(404)
    # qrcode is imported here, at first use: only this page needs it.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(two_factor.provisioning_uri(user), image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    response = Response(image.to_string(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-factor/disable")
@guarded(signed_in)
@account_code_limit
def disable_two_factor():
    form = DisableTwoFactorForm(prefix="disable")
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return _refused_code(form)
    return run_action(
        lambda: two_factor.disable_two_factor(user, form.code.data),
        done=lambda _none: _flash_and_back(gettext("Two-factor sign-in is off."), "info"),
        refused=lambda error: _refused_code(form, error),
    )


@bp.post("/account/two-factor/recovery-codes")
@guarded(signed_in)
@account_code_limit
def new_recovery_codes():
    form = NewRecoveryCodesForm(prefix="recovery")
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("account_security.two_factor_page"))
    if not form.validate_on_submit():
        return _refused_code(form)
    return run_action(
        lambda: two_factor.regenerate_recovery_codes(user, form.code.data),
        done=_codes_page,
        refused=lambda error: _refused_code(form, error),
    )


def _refused_code(form, error: DomainError | None = None):
    message = (
        error.message if error is not None else next(iter(form.errors.values()), [gettext("Please enter the code.")])[0]
    )
    flash(str(message), "danger")
    return redirect(url_for("account_security.two_factor_page"))


def _flash_and_back(message: str, category: str):
    flash(message, category)
    return redirect(url_for("account_security.two_factor_page"))


# -- sign out everywhere -------------------------------------------------------------------


@bp.post("/account/sign-out-everywhere")
@guarded(signed_in)
def sign_out_everywhere():
    user = current_user._get_current_object()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.profile"))
    return run_action(
        lambda: two_factor.sign_out_everywhere(user),
        done=lambda _none: _still_here(user),
        refused=lambda error: _flash_and_back(error.message, "danger"),
    )


def _still_here(user: User):
    _sign_in(user)  # the session token changed: this session signs in again
    flash(gettext("Every other session of your account has been signed out."), "success")
    return redirect(url_for("accounts.profile"))
