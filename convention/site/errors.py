"""Styled error pages for people, JSON errors for machines."""

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from convention.core.errors import DomainError
from convention.extensions import db

MESSAGES = {
    400: (lazy_gettext("Bad request"), lazy_gettext("The request could not be understood.")),
    403: (lazy_gettext("Not allowed"), lazy_gettext("You do not have access to this page.")),
    404: (lazy_gettext("Not found"), lazy_gettext("There is nothing at this address.")),
    405: (lazy_gettext("Not allowed"), lazy_gettext("This address does not accept that kind of request.")),
    409: (lazy_gettext("Conflict"), lazy_gettext("This clashes with a change made in the meantime. Reload and try again.")),
    413: (lazy_gettext("Too large"), lazy_gettext("What you sent is larger than we accept.")),
    422: (lazy_gettext("Invalid"), lazy_gettext("Some of what you sent is not valid.")),
    429: (lazy_gettext("Slow down"), lazy_gettext("Too many attempts. Wait a minute and try again.")),
    500: (lazy_gettext("Something went wrong"),
          lazy_gettext("An error occurred on our side. Nothing was saved; please try again.")),
}


def wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(status: int, detail: str | None = None):
    title, default_text = MESSAGES.get(status) or (gettext("Error %(status)d", status=status),
                                                    gettext("An error occurred."))
    # Read now, in the request's language (JSON cannot hold a lazy string).
    title, text = str(title), str(detail or default_text)
    if wants_json():
        return jsonify(error=title, message=text, status=status), status
    try:
        return render_template("errors/error.html", status=status, title=title, text=text), status
    except Exception:  # the page itself failed (the database is down, say): say it plainly
        current_app.logger.exception("Could not render the %s error page", status)
        return Response(f"{title}\n\n{text}\n", status=status, mimetype="text/plain")


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, gettext("The form had expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return Response(gettext("Bad request") + "\n\n" + gettext("This site is not served under that host name.") + "\n",
                        status=400, mimetype="text/plain")

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return _render(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error):
        # A description given on purpose (abort(400, description=...), a rate limit)
        # is shown; werkzeug's generic defaults give way to our own wording.
        custom = error.description and error.description != type(error).description
        return _render(error.code or 500, error.description if custom else None)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500)
