"""The speaker's side: the public call page, writing proposals, profile, co-speakers, files."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from convention.cfp import files, services
from convention.cfp import speaker_services as speakers
from convention.cfp.forms import (
    RANGES_PER_DAY,
    AttachmentForm,
    InviteForm,
    ProfileForm,
    availability_form_class,
    proposal_form_class,
)
from convention.cfp.loaders import (
    load_attachment,
    load_edition_and_token,
    load_invitation,
    load_profile,
    load_proposal,
    load_speaker_link,
)
from convention.cfp.manage_services import claim_late_grant, find_late_grant
from convention.cfp.markup import render_markdown
from convention.cfp.permissions import (
    can_view_proposal,
    can_view_speaker_photo,
    has_accepted_proposal,
    is_proposal_speaker,
)
from convention.cfp.states import ACCEPTED_STATES, EDITABLE_STATES, JOINABLE_STATES, Mover, ProposalState
from convention.core.codes import new_token
from convention.core.errors import DomainError
from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded, public, signed_in
from convention.core.timeutil import to_local, utcnow
from convention.core.views import perform_button, run_button, run_form
from convention.editions.loaders import get_edition_or_404, load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_view_edition
from convention.extensions import db, limiter

bp = Blueprint("cfp", __name__)
bp.record_once(lambda state: files.init_file_cleanup())
bp.add_app_template_filter(render_markdown, "markdown")

# URL word -> the state a speaker moves their proposal to.
SPEAKER_MOVES = {
    "submit": ProposalState.SUBMITTED,
    "confirm": ProposalState.CONFIRMED,
    "decline": ProposalState.DECLINED,
    "withdraw": ProposalState.WITHDRAWN,
}
MOVE_WORDS = {state: word for word, state in SPEAKER_MOVES.items()}


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _proposal_data(form) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data or "",
        theme_id=form.theme_id.data or 0,
        format_id=form.format_id.data or 0,
        level=form.level.data or "",
        language=form.language.data or "",
        abstract=form.abstract.data or "",
        description=form.description.data or "",
        notes=form.notes.data or "",
        may_record=bool(form.may_record.data),
        answers=form.answers(),
    )


# -- the public call ------------------------------------------------------------------------


@bp.get("/<slug>/cfp/")
@guarded(can_view_edition, load=load_edition)
def call(edition):
    now = utcnow()
    user = current_user if current_user.is_authenticated else None
    if edition.cfp_opens_at and now < edition.cfp_opens_at:
        phase = "upcoming"
    elif edition.cfp_is_open(now):
        phase = "open"
    else:
        phase = "closed"
    return render_template(
        "cfp/call.html",
        edition=edition,
        phase=phase,
        open_for_me=services.call_is_open_for(edition, user, now=now),
        late_grant=services.active_late_grant(edition, user, now=now),
        my_proposals=services.proposals_of_speaker(edition, user) if user else [],
        days_left=(edition.cfp_closes_at - now).days if edition.cfp_closes_at and phase == "open" else None,
    )


@bp.get("/<slug>/cfp/proposals/")
@guarded(signed_in, load=load_edition)
def my_proposals(edition):
    return render_template(
        "cfp/my_proposals.html",
        edition=edition,
        proposals=services.proposals_of_speaker(edition, current_user),
        open_for_me=services.call_is_open_for(edition, current_user),
        profile=speakers.get_profile(edition, current_user),
    )


# -- writing -----------------------------------------------------------------------------------


def _proposal_form(edition, **kwargs):
    form = proposal_form_class(services.questions_of(edition))(**kwargs)
    form.set_choices(edition)
    return form


@bp.route("/<slug>/cfp/submit", methods=["GET", "POST"])
@guarded(signed_in, load=load_edition)
def submit(edition):
    form = _proposal_form(edition)
    open_now = services.call_is_open_for(edition, current_user)
    if not form.is_submitted():
        form.submission_key.data = new_token(16)
    if form.validate_on_submit():
        try:
            proposal, created = services.create_proposal(
                edition,
                _proposal_data(form),
                actor=current_user,
                submit=bool(form.submit.data),
                idempotency_key=form.submission_key.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if not created:
                flash("We had already received this form: here is your proposal.", "info")
            elif proposal.state is ProposalState.SUBMITTED:
                flash("Thank you! Your proposal is submitted; we sent you a confirmation email.", "success")
            else:
                flash("Your draft is saved. Submit it before the deadline.", "success")
            return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code))
    return render_template(
        "cfp/proposal_form.html",
        edition=edition,
        form=form,
        proposal=None,
        open_now=open_now,
        profile=speakers.get_profile(edition, current_user),
        closes_text=services.local_text(edition.cfp_closes_at, edition),
    ), _status(form)


@bp.route("/<slug>/cfp/proposals/<code>/edit", methods=["GET", "POST"])
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def edit(edition, proposal):
    form = _proposal_form(edition, obj=proposal)
    if not form.is_submitted():
        form.level.data = proposal.level.value
        form.language.data = proposal.language.value
        answers = {answer.question_id: answer.value for answer in proposal.answers}
        for field in form.question_fields:
            field.data = answers.get(int(field.name[2:]), "")
    if form.validate_on_submit():
        try:
            services.update_proposal(proposal, _proposal_data(form), actor=current_user)
            if form.submit.data and proposal.state is ProposalState.DRAFT:
                services.set_proposal_state(proposal, ProposalState.SUBMITTED, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your proposal is saved." if proposal.state is not ProposalState.SUBMITTED or not form.submit.data
                  else "Thank you! Your proposal is submitted; we sent you a confirmation email.", "success")
            return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code))
    return render_template(
        "cfp/proposal_form.html",
        edition=edition,
        form=form,
        proposal=proposal,
        open_now=services.call_is_open_for(edition, current_user) and proposal.state in EDITABLE_STATES,
        profile=speakers.get_profile(edition, current_user),
        closes_text=services.local_text(edition.cfp_closes_at, edition),
    ), _status(form)


# -- one proposal --------------------------------------------------------------------------------


def _render_proposal(edition, proposal, *, invite_form=None, attachment_form=None, status=200):
    now = utcnow()
    open_for_me = services.call_is_open_for(edition, current_user, now=now)
    can_edit = open_for_me and proposal.state in EDITABLE_STATES
    moves = services.allowed_moves(proposal, current_user, Mover.SPEAKER)
    if not open_for_me and ProposalState.SUBMITTED in moves:
        moves.remove(ProposalState.SUBMITTED)
    answers = {answer.question_id: answer.value for answer in proposal.answers}
    return render_template(
        "cfp/proposal.html",
        edition=edition,
        proposal=proposal,
        can_edit=can_edit,
        can_attach=can_edit or proposal.state in ACCEPTED_STATES,
        moves=[(state, MOVE_WORDS[state]) for state in moves],
        questions=[(q, answers.get(q.id, "")) for q in services.questions_of(edition)],
        pending_invitations=[inv for inv in proposal.invitations if inv.is_pending(now)],
        removable={link.id for link in proposal.speakers if services.may_remove_speaker(proposal, link, current_user)},
        is_submitter=any(link.is_submitter and link.profile.user_id == current_user.id for link in proposal.speakers),
        invite_form=invite_form or InviteForm(),
        attachment_form=attachment_form or AttachmentForm(),
        action_form=ActionForm(),
        me=current_user,
        closes_text=services.local_text(edition.cfp_closes_at, edition),
        attachment_limit=files.human_size(files.attachment_limit()),
    ), status


@bp.get("/<slug>/cfp/proposals/<code>")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def proposal(edition, proposal):
    return _render_proposal(edition, proposal)


def _load_move(slug: str, code: str, move: str) -> dict:
    if move not in SPEAKER_MOVES:
        abort(404)
    return {**load_proposal(slug, code), "move": move}


@bp.route("/<slug>/cfp/proposals/<code>/state/<move>", methods=["GET", "POST"])
@guarded(is_proposal_speaker, load=_load_move, hide=True)
def move(edition, proposal, move):
    """GET asks for confirmation; POST makes the move."""
    new_state = SPEAKER_MOVES[move]
    if request.method == "POST":
        return run_button(
            lambda: services.set_proposal_state(proposal, new_state, actor=current_user),
            done=MOVE_MESSAGES[new_state],
            back=url_for("cfp.proposal", slug=edition.slug, code=proposal.code),
        )
    return render_template("cfp/confirm_move.html", edition=edition, proposal=proposal, move=move,
                           new_state=new_state, form=ActionForm())


MOVE_MESSAGES = {
    ProposalState.SUBMITTED: "Thank you! Your proposal is submitted; we sent you a confirmation email.",
    ProposalState.CONFIRMED: "Thank you for confirming! Please tell us when you are available.",
    ProposalState.DECLINED: "You declined this talk. The organizers are told.",
    ProposalState.WITHDRAWN: "Your proposal is withdrawn. The committee is told; the record is kept.",
}


def _invite_limit() -> str:
    return current_app.config["INVITE_RATE_LIMIT"]


def _inviter_key() -> str:
    # Per person, not per address: invitations send mail to any address a speaker types.
    return f"cfp-invite:{current_user.get_id()}"


@bp.post("/<slug>/cfp/proposals/<code>/invite")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
@limiter.limit(_invite_limit, key_func=_inviter_key, error_message="You sent many invitations in a short time. Try again later.")
def invite(edition, proposal):
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_co_speaker(proposal, form.email.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"We sent an invitation to {form.email.data.strip().lower()}.", "success")
            return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor="speakers"))
    return _render_proposal(edition, proposal, invite_form=form, status=422)


@bp.post("/<slug>/cfp/proposals/<code>/speakers/<profile_code>/remove")
@guarded(is_proposal_speaker, load=load_speaker_link, hide=True)
def remove_speaker(edition, proposal, link):
    leaving = link.profile.user_id == current_user.id
    done = perform_button(
        lambda: services.remove_speaker(proposal, link, actor=current_user),
        done="You left this proposal." if leaving else "The co-speaker is removed.",
    )
    if done and leaving:
        return redirect(url_for("cfp.my_proposals", slug=edition.slug))
    return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor="speakers"))


@bp.post("/<slug>/cfp/proposals/<code>/invitations/<int:invitation_id>/cancel")
@guarded(is_proposal_speaker, load=load_invitation, hide=True)
def cancel_invitation(edition, proposal, invitation):
    return run_button(
        lambda: services.cancel_invitation(invitation, actor=current_user),
        done=f"The invitation to {invitation.email} is cancelled: its link no longer works.",
        back=url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor="speakers"),
    )


# -- files -----------------------------------------------------------------------------------------


@bp.post("/<slug>/cfp/proposals/<code>/files")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def upload(edition, proposal):
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_attachment(proposal, upload.stream, filename=upload.filename or "", actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash("The file is uploaded.", "success")
            return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor="files"))
    return _render_proposal(edition, proposal, attachment_form=form, status=422)


@bp.get("/<slug>/cfp/proposals/<code>/files/<attachment_code>")
@guarded(can_view_proposal, load=load_attachment, hide=True)
def attachment(edition, proposal, attachment):
    path = files.attachment_path(attachment.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<slug>/cfp/proposals/<code>/files/<attachment_code>/delete")
@guarded(is_proposal_speaker, load=load_attachment, hide=True)
def delete_attachment(edition, proposal, attachment):
    return run_button(
        lambda: services.delete_attachment(attachment, actor=current_user),
        done="The file is deleted.",
        back=url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor="files"),
    )


@bp.errorhandler(413)
def too_large(error):
    """The whole request was over MAX_CONTENT_LENGTH: say so kindly, nothing was read or kept."""
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


# -- co-speaker invitations ---------------------------------------------------------------------------


@bp.get("/<slug>/cfp/invite/<token>")
@public
def invitation(slug, token):
    edition = get_edition_or_404(slug)
    found = services.find_invitation(edition, token)
    valid = found is not None and found.is_pending() and found.proposal.state in JOINABLE_STATES
    user = current_user if current_user.is_authenticated else None
    return render_template(
        "cfp/invitation.html",
        edition=edition,
        invitation=found if valid else None,
        already_speaker=bool(valid and is_proposal_speaker(current_user, found.proposal)),
        refusal=services.invitation_refusal(found, user) if valid and user else None,
        form=ActionForm(),
        here=request.path,
    ), 200 if valid else 404


@bp.post("/<slug>/cfp/invite/<token>")
@guarded(signed_in, load=load_edition_and_token)
def accept_invitation(edition, token):
    found = services.find_invitation(edition, token)
    if found is None:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            proposal = services.accept_invitation(found, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("cfp.invitation", slug=edition.slug, token=token))
        db.session.commit()
        flash("Welcome aboard! You are now a speaker of this proposal. Check your speaker profile.", "success")
        return redirect(url_for("cfp.proposal", slug=edition.slug, code=proposal.code))
    return redirect(url_for("cfp.invitation", slug=edition.slug, token=token))


# -- personal late-submission link ----------------------------------------------------------------------


@bp.route("/<slug>/cfp/late/<token>", methods=["GET", "POST"])
@guarded(signed_in, load=load_edition_and_token)
def late_link(edition, token):
    grant = find_late_grant(edition, token)
    if grant is None:
        abort(404)
    form = ActionForm()
    error_message = None
    if form.validate_on_submit():
        try:
            claim_late_grant(grant, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            error_message = error.message
        else:
            db.session.commit()
            flash("Your personal link is active: you can submit and edit until it expires.", "success")
            return redirect(url_for("cfp.call", slug=edition.slug))
    usable = grant.is_active() and grant.user_id in (None, current_user.id)
    return render_template(
        "cfp/late_link.html", edition=edition, grant=grant, usable=usable, form=form, error_message=error_message,
        expires_text=services.local_text(grant.expires_at, edition),
    ), (422 if error_message else 200)


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
        done="Your speaker profile is saved.",
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
    if not profile.photo_name or not files.photo_path(profile.photo_name).is_file():
        abort(404)
    response = send_file(files.photo_path(profile.photo_name), mimetype=files.photo_mimetype(profile.photo_name),
                         max_age=0)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- availability -----------------------------------------------------------------------------------------


@bp.route("/<slug>/cfp/availability", methods=["GET", "POST"])
@guarded(has_accepted_proposal, load=load_edition)
def availability(edition):
    days = speakers.convention_days(edition)
    form = availability_form_class(days)()
    profile = speakers.get_or_create_profile(edition, current_user)
    if not form.is_submitted():
        _fill_availability(form, days, profile, edition.timezone)
    if form.validate_on_submit():
        ranges = []
        for n, day in enumerate(days):
            for k in range(RANGES_PER_DAY):
                start, end = form[f"d{n}_{k}_start"], form[f"d{n}_{k}_end"]
                if (start.data is None) != (end.data is None):
                    (end if start.data else start).errors.append("Give both the start and the end.")
                elif start.data is not None:
                    ranges.append((day, start.data, end.data))
        if not form.errors:
            try:
                speakers.set_availability(edition, ranges, actor=current_user)
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash("Thank you, your availability is saved.", "success")
                return redirect(url_for("cfp.availability", slug=edition.slug))
    return render_template(
        "cfp/availability.html", edition=edition, form=form,
        days=[(n, day, [(form[f"d{n}_{k}_start"], form[f"d{n}_{k}_end"]) for k in range(RANGES_PER_DAY)])
              for n, day in enumerate(days)],
    ), _status(form)


def _fill_availability(form, days, profile, tz_name) -> None:
    per_day: dict = {}
    for slot in profile.availabilities:
        start, end = to_local(slot.starts_at, tz_name), to_local(slot.ends_at, tz_name)
        per_day.setdefault(start.date(), []).append((start.time(), end.time()))
    for n, day in enumerate(days):
        for k, (start, end) in enumerate(per_day.get(day, [])[:RANGES_PER_DAY]):
            form[f"d{n}_{k}_start"].data = start
            form[f"d{n}_{k}_end"].data = end


def _cfp_open(user, edition) -> bool:
    return services.call_is_open_for(edition, user)


def _signed_in_visible(user, edition) -> bool:
    return user is not None


register_link("public", "Call for papers", "cfp.call", order=10)
register_link("public", "My proposals", "cfp.my_proposals", order=12, visible=_signed_in_visible)
register_link("action", "Submit a proposal", "cfp.submit", order=10, visible=_cfp_open)

