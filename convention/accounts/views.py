import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_user, logout_user

from convention.accounts import services
from convention.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from convention.core.errors import DomainError
from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded, public, signed_in
from convention.core.security import is_safe_next
from convention.core.signals import LandingAsked, landing_asked
from convention.core.views import run_action, run_form
from convention.extensions import limiter

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = lazy_gettext("Invalid email or password.")


def _next_url(default_endpoint: str = "main.index") -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email_key() -> str:
    """Rate-limit key for the address typed into the form, whatever the client's IP."""
    return "email:" + services.normalize_email(request.form.get("email", ""))[:254]


TOO_MANY_LOGINS = lazy_gettext("Too many sign-in attempts. Wait a minute and try again.")
TOO_MANY_ATTEMPTS = lazy_gettext("Too many attempts from here. Wait a minute and try again.")


# The limiter calls these when it refuses, so the message is in the request's language.
def _too_many_logins() -> str:
    return str(TOO_MANY_LOGINS)


def _too_many_attempts() -> str:
    return str(TOO_MANY_ATTEMPTS)


def _sign_in(user, *, remember: bool = False) -> None:
    """Start a session that ends after PERMANENT_SESSION_LIFETIME without activity."""
    session.permanent = True
    login_user(user, remember=remember)


# -- the endings these views share (each runs after core.views ended the transaction) ----


def _raise(error: DomainError):
    """``refused`` for an action that has no refusal of its own: the error pages answer."""
    raise error


def _flash_and_go(message: str, category: str, endpoint: str):
    """``done`` for an action that ends with a message and another page."""

    def done(_result):
        flash(str(message), category)
        return redirect(url_for(endpoint))

    return done


def _invalid_link(error: DomainError, kind: str):
    return render_template("accounts/link_invalid.html", message=error.message, kind=kind), 400


def _signed_in_again(user, message: str, endpoint: str):
    """After a password change the session token changed: sign this session in again."""
    _sign_in(user)
    flash(str(message), "success")
    return redirect(url_for(endpoint))


def _refused_form(form, error: DomainError, page):
    apply_domain_error(form, error)
    return page(), 422


SIGNED_UP = lazy_gettext(
    "Thank you. We sent an email to that address: follow its link to confirm it, then sign in here."
)


# The same answer whether or not the address already has an account (its owner gets an
# email instead), so the form tells nobody who has an account. Hence no sign-in here.
@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=_too_many_attempts)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=_too_many_attempts)
def signup():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = SignupForm()
    target = request.args.get("next")
    return run_form(
        form,
        lambda: services.sign_up(name=form.name.data, email=form.email.data, password=form.password.data),
        done=SIGNED_UP,
        back=url_for("accounts.login", next=target) if is_safe_next(target) else url_for("accounts.login"),
        render=lambda: render_template("accounts/signup.html", form=form),
    )


# Two limits, both LOGIN_RATE_LIMIT: per client address, and per submitted email so that
# guessing one account's password from many addresses is slowed down as well.
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=_too_many_logins)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=_too_many_logins)
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        return run_action(
            lambda: _authenticate(form),
            done=lambda user: _signed_in(user, remember=form.remember.data),
            refused=lambda error: _login_page(form, error),
        )
    return _login_page(form)


def _authenticate(form: LoginForm):
    """The account for the typed credentials; a refusal (the same for every mistake) otherwise."""
    user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        raise DomainError(LOGIN_FAILED)
    return user


# The session key of an account whose password was given but whose second factor is
# still to come (accounts/views_security.py: the code page finishes the sign-in).
PENDING_KEY = "two_factor_pending"


def _signed_in(user, *, remember: bool):
    if user.two_factor_enabled:
        session[PENDING_KEY] = {
            "id": user.id,
            "token": user.session_token,
            "remember": bool(remember),
            "at": time.time(),
        }
        target = request.args.get("next")
        return redirect(url_for("account_security.sign_in_code", next=target if is_safe_next(target) else None))
    _sign_in(user, remember=remember)
    if is_safe_next(request.args.get("next")):
        return redirect(_next_url())
    return redirect(_landing_of(user))


def _landing_of(user) -> str:
    """Where someone lands after signing in without a page to go back to: the first page a
    domain offers (door staff: the door, see core/signals.py LandingAsked), else the home page."""
    for answer in landing_asked.send(LandingAsked(user_id=user.id, actor_id=user.id)):
        if answer is not None:
            endpoint, values = answer
            return url_for(endpoint, **values)
    return url_for("main.index")


def _login_page(form: LoginForm, error: DomainError | None = None):
    if error is not None:
        apply_domain_error(form, error)
    status = 401 if form.form_errors else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    """Signing out changes state, so it is a POST; a typed or bookmarked GET gets the button."""
    form = ActionForm()
    if form.validate_on_submit():
        return run_action(_end_sessions, done=_signed_out, refused=_raise)
    if request.method == "POST" or not current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("accounts/logout.html", form=form)


def _end_sessions() -> None:
    if current_user.is_authenticated:
        # Every copy of this session's cookies (and the remember cookie) dies too.
        services.end_sessions(current_user._get_current_object())


def _signed_out(_result):
    logout_user()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token):
    """The emailed link shows a button; only its POST confirms. Mail scanners open links,
    and opening one must not confirm an address for someone who never read the message."""
    try:
        user = services.user_for_confirm_token(token)
    except services.InvalidLink as error:
        return _invalid_link(error, "confirm")
    form = ActionForm()
    if form.validate_on_submit():
        return run_action(
            lambda: services.confirm_email(token),
            done=_flash_and_go(gettext("Thank you, your email address is confirmed."), "success",
                               "accounts.profile" if current_user.is_authenticated else "accounts.login"),
            refused=lambda error: _invalid_link(error, "confirm"),
        )
    return render_template(
        "accounts/confirm_email.html", form=form, email=user.email, action=url_for("accounts.confirm_email", token=token)
    )


@bp.post("/account/resend-confirmation")
@guarded(signed_in)
def resend_confirmation():
    if ActionForm().validate_on_submit() and not current_user.email_confirmed:
        return run_action(
            lambda: services.send_confirmation(current_user),
            done=_flash_and_go(gettext("We sent a new confirmation email."), "info", "accounts.profile"),
            refused=_raise,
        )
    return redirect(url_for("accounts.profile"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=_too_many_attempts)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=_too_many_attempts)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        return run_action(
            lambda: services.request_password_reset(form.email.data),
            done=_flash_and_go(gettext("If an account exists for that address, a reset link is on its way."), "info",
                               "accounts.login"),
            refused=_raise,
        )
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except services.InvalidLink as error:
        return _invalid_link(error, "reset")
    form = ResetPasswordForm()

    def page():
        return render_template("accounts/reset_password.html", form=form)

    if form.validate_on_submit():
        return run_action(
            lambda: services.reset_password(token, form.password.data),
            done=lambda user: _signed_in_again(user, gettext("Your password is changed."), "main.index"),
            refused=lambda error: _refused_form(form, error, page),
        )
    return page(), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@guarded(signed_in)
def profile():
    profile_form = ProfileForm(prefix="profile", obj=current_user)
    password_form = ChangePasswordForm(prefix="password")
    user = current_user._get_current_object()

    def page():
        return render_template(
            "accounts/profile.html", profile_form=profile_form, password_form=password_form, action_form=ActionForm()
        )

    if profile_form.submit.data and profile_form.validate_on_submit():
        return run_action(
            lambda: services.update_profile(user, name=profile_form.name.data, language=profile_form.language.data),
            done=_flash_and_go(gettext("Profile saved."), "success", "accounts.profile"),
            refused=lambda error: _refused_form(profile_form, error, page),
        )
    if password_form.submit.data and password_form.validate_on_submit():
        return run_action(
            lambda: services.change_password(
                user, current_password=password_form.current_password.data, new_password=password_form.password.data
            ),
            # The other sessions are over; this one signs in again.
            done=lambda _none: _signed_in_again(user, gettext("Password changed. Other devices have been signed out."),
                                                "accounts.profile"),
            refused=lambda error: _refused_form(password_form, error, page),
        )
    return page(), 422 if profile_form.errors or password_form.errors else 200
