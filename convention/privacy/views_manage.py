"""Organizer privacy pages under /<slug>/manage/privacy/: the notice (each change a new
version), the retention date, and the record of processing."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.core.permissions import guarded
from convention.core.views import run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_manage_edition
from convention.privacy import notices, processing, retention
from convention.privacy.forms import NoticeForm, RetentionForm
from convention.privacy.views import bp

register_link("manage", lazy_gettext("Privacy"), "privacy.manage", order=92)


def _page(edition, notice_form, retention_form):
    return render_template(
        "privacy/manage.html",
        edition=edition,
        notice_form=notice_form,
        retention_form=retention_form,
        versions=notices.list_notices(edition),
        current=notices.current_notice(edition),
        consents=notices.consent_counts(edition),
        settings=retention.get_privacy_settings(edition),
    )


@bp.route("/<slug>/manage/privacy/", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def manage(edition):
    form = NoticeForm(prefix="notice")
    if not form.is_submitted():
        form.text.data = notices.current_notice(edition).text
    settings = retention.get_privacy_settings(edition)
    return run_form(
        form,
        lambda: notices.publish_notice(edition, form.text.data, actor=current_user),
        done=lambda notice: gettext("Version %(label)s of the privacy notice is published.", label=notice.label),
        back=url_for("privacy.manage", slug=edition.slug),
        render=lambda: _page(edition, form, RetentionForm(prefix="retention", obj=settings)),
    )


@bp.route("/<slug>/manage/privacy/retention", methods=["POST"])
@guarded(can_manage_edition, load=load_edition)
def set_retention(edition):
    form = RetentionForm(prefix="retention")
    notice_form = NoticeForm(prefix="notice", formdata=None)
    notice_form.text.data = notices.current_notice(edition).text
    return run_form(
        form,
        lambda: retention.set_retention(edition, form.retention_until.data, actor=current_user),
        done=gettext("Retention date saved."),
        back=url_for("privacy.manage", slug=edition.slug),
        render=lambda: _page(edition, notice_form, form),
    )


@bp.get("/<slug>/manage/privacy/processing")
@guarded(can_manage_edition, load=load_edition)
def record_of_processing(edition):
    return render_template("privacy/processing.html", edition=edition, rows=processing.record(edition))
