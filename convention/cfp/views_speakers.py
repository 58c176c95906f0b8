"""The speaker as a person: joining through an invitation, a personal late link, the
speaker profile with its photo, and availability (routes on the ``cfp`` blueprint of ``views``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from convention.cfp import cospeakers, files, late_grants
from convention.cfp import speaker_services as speakers
from convention.cfp.call import local_text
from convention.cfp.forms import ProfileForm, availability_form_class
from convention.cfp.loaders import (
    load_edition_and_token,
    load_invitation_by_token,
    load_late_grant_by_token,
    load_profile,
)
from convention.cfp.permissions import can_view_speaker_photo, has_accepted_proposal, is_proposal_speaker
from convention.cfp.views import bp
from convention.core.forms import ActionForm
from convention.core.permissions import guarded, public, signed_in
from convention.core.views import run_action, run_form
from convention.editions.loaders import load_edition

# -- co-speaker invitations ---------------------------------------------------------------------------


@bp.get("/<slug>/cfp/invite/<token>")
@public
def invitation(slug, token):
    edition = load_edition_and_token(slug, token)["edition"]
    found = cospeakers.find_invitation(edition, token)
    valid = cospeakers.invitation_is_open(found)
    user = current_user if current_user.is_authenticated else None
    return render_template(
        "cfp/invitation.html",
        edition=edition,
        invitation=found if valid else None,
        already_speaker=bool(valid and is_proposal_speaker(current_user, found.proposal)),
        refusal=cospeakers.invitation_refusal(found, user) if valid and user else None,
        form=ActionForm(),
        here=request.path,
    ), 200 if valid else 404


@bp.post("/<slug>/cfp/invite/<token>")
@guarded(signed_in, load=load_invitation_by_token)
def accept_invitation(edition, invitation, token):
    back = url_for("cfp.invitation", slug=edition.slug, token=token)  # it says why, if refused
    if not ActionForm().validate_on_submit():
        return redirect(back)
    return run_action(
        lambda: cospeakers.accept_invitation(invitation, actor=current_user),
        done=lambda proposal: _joined(edition, proposal),
        refused=lambda error: _refused(error, back),
    )


def _joined(edition, proposal):
    flash(gettext("Welcome aboard! You are now a speaker of this proposal. Check your speaker profile."), "success")
    return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code))


def _refused(error, back):
    flash(error.message, "danger")
    return redirect(back)


# -- personal late-submission link ----------------------------------------------------------------------


def _late_page(edition, grant, form, error_message=None):
    return render_template(
        "cfp/late_link.html", edition=edition, grant=grant, usable=late_grants.usable_by(grant, current_user),
        form=form, error_message=error_message, expires_text=local_text(grant.expires_at, edition),
    ), (422 if error_message else 200)


def _claimed(edition):
    flash(gettext("Your personal link is active: you can submit and edit until it expires."), "success")
    return redirect(url_for("cfp.call", slug=edition.slug))


@bp.route("/<slug>/cfp/late/<token>", methods=["GET", "POST"])
@guarded(signed_in, load=load_late_grant_by_token)
def late_link(edition, grant):
    form = ActionForm()
    if not form.validate_on_submit():
        return _late_page(edition, grant, form)
    return run_action(
        lambda: late_grants.claim_late_grant(grant, actor=current_user),
        done=lambda _grant: _claimed(edition),
        refused=lambda error: _late_page(edition, grant, form, error.message),
    )


# -- the speaker profile -----------------------------------------------------------------------------------


@bp.route("/<slug>/cfp/profile", methods=["GET", "POST"])
@guarded(signed_in, load=load_edition)
def profile(edition):
    profile = speakers.get_profile(edition, current_user)
    form = ProfileForm(obj=profile)
    if not form.is_submitted() and profile is None:
        form.display_name.data = current_user.name
    return run_form(
        form,
        lambda: _save_profile(edition, form),
        done=gettext("Your speaker profile is saved."),
        back=url_for("cfp.profile", slug=edition.slug),
        render=lambda: render_template(
            "cfp/profile.html", edition=edition, form=form, profile=profile,
            photo_limit=files.human_size(files.photo_limit()),
        ),
    )


def _save_profile(edition, form):
    photo = form.photo.data if form.photo.data and form.photo.data.filename else None
    data = speakers.ProfileData(
        display_name=form.display_name.data or "",
        biography=form.biography.data or "",
        organisation=form.organisation.data or "",
        job_title=form.job_title.data or "",
        links=form.links.data or "",
    )
    return speakers.update_speaker_profile(
        edition, data, actor=current_user, photo=photo.stream if photo else None,
        remove_photo=bool(form.remove_photo.data),
    )


@bp.get("/<slug>/cfp/speakers/<profile_code>/photo")
@guarded(can_view_speaker_photo, load=load_profile, hide=True)
def photo(edition, profile):
    response = send_file(speakers.stored_photo(profile), mimetype=files.photo_mimetype(profile.photo_name), max_age=0)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- availability -----------------------------------------------------------------------------------------


@bp.route("/<slug>/cfp/availability", methods=["GET", "POST"])
@guarded(has_accepted_proposal, load=load_edition)
def availability(edition):
    form = availability_form_class(speakers.convention_days(edition))()
    if not form.is_submitted():
        profile = speakers.get_profile(edition, current_user)
        if profile is not None:
            form.fill(speakers.local_availability(profile, edition))
    return run_form(
        form,
        lambda: speakers.set_availability(edition, form.ranges(), actor=current_user),
        done=gettext("Thank you, your availability is saved."),
        back=url_for("cfp.availability", slug=edition.slug),
        render=lambda: render_template("cfp/availability.html", edition=edition, form=form, days=form.day_rows()),
    )
