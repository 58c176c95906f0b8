from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
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
from convention.extensions import db, limiter

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "Invalid email or password."


def _next_url(default_endpoint: str = "main.index") -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email_key() -> str:
    """Rate-limit key for the address typed into the form, whatever the client's IP."""
    return "email:" + services.normalize_email(request.form.get("email", ""))[:254]


TOO_MANY_LOGINS = "Too many sign-in attempts. Wait a minute and try again."
TOO_MANY_ATTEMPTS = "Too many attempts from here. Wait a minute and try again."


def _sign_in(user, *, remember: bool = False) -> None:
    """Start a session that ends after PERMANENT_SESSION_LIFETIME without activity."""
    session.permanent = True
    login_user(user, remember=remember)


SIGNED_UP = "Thank you. We sent an email to that address: follow its link to confirm it, then sign in here."


# The same answer whether or not the address already has an account (its owner gets an
# email instead), so the form tells nobody who has an account. Hence no sign-in here.
@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=TOO_MANY_ATTEMPTS)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=TOO_MANY_ATTEMPTS)
def signup():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = SignupForm()
    if form.validate_on_submit():
        try:
            services.sign_up(name=form.name.data, email=form.email.data, password=form.password.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(SIGNED_UP, "success")
            target = request.args.get("next")
            return redirect(url_for("accounts.login", next=target) if is_safe_next(target) else url_for("accounts.login"))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 422


# Two limits, both LOGIN_RATE_LIMIT: per client address, and per submitted email so that
# guessing one account's password from many addresses is slowed down as well.
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=TOO_MANY_LOGINS)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=TOO_MANY_LOGINS)
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(LOGIN_FAILED)
        else:
            db.session.commit()
            _sign_in(user, remember=form.remember.data)
            return redirect(_next_url())
    status = 401 if form.form_errors else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    """Signing out changes state, so it is a POST; a typed or bookmarked GET gets the button."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Every copy of this session's cookies (and the remember cookie) dies too.
            services.end_sessions(current_user._get_current_object())
            db.session.commit()
        logout_user()
        flash("You are signed out.", "info")
        return redirect(url_for("main.index"))
    if request.method == "POST" or not current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token):
    """The emailed link shows a button; only its POST confirms. Mail scanners open links,
    and opening one must not confirm an address for someone who never read the message."""
    try:
        user = services.user_for_confirm_token(token)
    except services.InvalidLink as error:
        return render_template("accounts/link_invalid.html", message=error.message, kind="confirm"), 400
    form = ActionForm()
    if form.validate_on_submit():
        services.confirm_email(token)
        db.session.commit()
        flash("Thank you, your email address is confirmed.", "success")
        return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))
    return render_template(
        "accounts/confirm_email.html", form=form, email=user.email, action=url_for("accounts.confirm_email", token=token)
    )


@bp.post("/account/resend-confirmation")
@guarded(signed_in)
def resend_confirmation():
    if ActionForm().validate_on_submit() and not current_user.email_confirmed:
        services.send_confirmation(current_user)
        db.session.commit()
        flash("We sent a new confirmation email.", "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=TOO_MANY_ATTEMPTS)
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email_key, error_message=TOO_MANY_ATTEMPTS)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account exists for that address, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except services.InvalidLink as error:
        return render_template("accounts/link_invalid.html", message=error.message, kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            _sign_in(user)
            flash("Your password is changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@guarded(signed_in)
def profile():
    profile_form = ProfileForm(prefix="profile", obj=current_user)
    password_form = ChangePasswordForm(prefix="password")
    if profile_form.submit.data and profile_form.validate_on_submit():
        try:
            services.update_profile(current_user, name=profile_form.name.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(profile_form, error)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    elif password_form.submit.data and password_form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current_password=password_form.current_password.data,
                new_password=password_form.password.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(password_form, error)
        else:
            db.session.commit()
            # The session token changed: sign this session in again, the others are over.
            _sign_in(current_user._get_current_object())
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.profile"))
    failed = profile_form.errors or password_form.errors
    return (
        render_template(
            "accounts/profile.html", profile_form=profile_form, password_form=password_form, action_form=ActionForm()
        ),
        422 if failed else 200,
    )
