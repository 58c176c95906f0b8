import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from convention.core.i18n import LANGUAGE_COOKIE_MAX_AGE, LANGUAGES, language_cookie_name
from convention.core.permissions import public
from convention.core.security import is_safe_next
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.permissions import can_create_edition
from convention.editions.services import list_editions
from convention.extensions import db
from convention.site.security_txt import security_txt

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    return render_template(
        "site/index.html", editions=list_editions(current_user), can_create=can_create_edition(current_user)
    )


@bp.get("/healthz")
@public
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()  # shape: allowed, the failed probe is this view's own
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/language/<code>")
@public
def choose_language(code: str):
    """The language switcher in every page's footer: remember the choice in a cookie and go
    back to the page it was made on. A link rather than a form, so that anonymous pages
    need no session; the cookie holds nothing but one of three language codes, so a
    forged link can at worst change someone's interface language."""
    target = request.args.get("next")
    response = redirect(target if is_safe_next(target) else url_for("main.index"), code=303)
    if code in LANGUAGES:
        name = language_cookie_name()
        response.set_cookie(
            name,
            code,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            samesite="Lax",
            path="/",
            secure=request.is_secure or name.startswith("__Host-"),
            httponly=True,
        )
    return response


@bp.get("/.well-known/security.txt")
@public
def security_txt_file():
    """Where to report a vulnerability (RFC 9116), from the SECURITY_* settings."""
    text = security_txt(current_app.config, canonical=external_url("main.security_txt_file"), now=utcnow())
    return Response(text, mimetype="text/plain")
