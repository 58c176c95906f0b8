"""The call's own error page: an upload over the request size limit (413)."""

from __future__ import annotations

from flask import render_template, request, url_for
from werkzeug.datastructures import ImmutableMultiDict

from convention.cfp import files
from convention.extensions import db


def too_large(error):
    """The whole request was over MAX_CONTENT_LENGTH: say so kindly, nothing was read or kept.

    An error handler, like the site's own (site/errors.py): it ends the failed request's
    transaction itself, as those do."""
    db.session.rollback()
    # The body was refused unread: make it an empty form, so that rendering the page
    # (the sign-out button's CSRF form) does not try to parse it again and fail the same way.
    request.__dict__.setdefault("form", ImmutableMultiDict())
    request.__dict__.setdefault("files", ImmutableMultiDict())
    slug = (request.view_args or {}).get("slug")
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return render_template(
        "cfp/too_large.html",
        back=back or (url_for("cfp.call", slug=slug) if slug else url_for("main.index")),
        attachment_limit=files.human_size(files.attachment_limit()),
        photo_limit=files.human_size(files.photo_limit()),
    ), 413
