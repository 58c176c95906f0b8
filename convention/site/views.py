import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from convention.core.permissions import public
from convention.editions.permissions import can_create_edition
from convention.editions.services import list_editions
from convention.extensions import db

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
