"""A speaker's proposal: writing and editing it, its page, moving it through its states,
its co-speakers and its files (routes on the ``cfp`` blueprint of ``views``)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.cfp import attachments, cospeakers, files, services, submission
from convention.cfp import speaker_services as speakers
from convention.cfp.answers import answers_by_question, questions_of, questions_with_answers
from convention.cfp.call import call_is_open_for, can_attach_files, can_edit_proposal, is_locked, local_text
from convention.cfp.forms import AttachmentForm, InviteForm, proposal_form_class
from convention.cfp.loaders import load_attachment, load_invitation, load_proposal, load_speaker_link, load_speaker_move
from convention.cfp.permissions import can_view_proposal, is_proposal_speaker
from convention.cfp.states import SPEAKER_MOVES, Mover, ProposalState, is_accepted
from convention.cfp.views import bp
from convention.core.codes import new_token
from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded, signed_in
from convention.core.views import perform_button, run_action, run_button, run_form
from convention.editions.loaders import load_edition
from convention.extensions import limiter

# Lazy: flash() stores text in the session, so these are str()-ed when flashed.
SUBMITTED_MESSAGE = lazy_gettext("Thank you! Your proposal is submitted; we sent you a confirmation email.")
MOVE_MESSAGES = {
    ProposalState.SUBMITTED: SUBMITTED_MESSAGE,
    ProposalState.CONFIRMED: lazy_gettext("Thank you for confirming! Please tell us when you are available."),
    ProposalState.DECLINED: lazy_gettext("You declined this talk. The organizers are told."),
    ProposalState.WITHDRAWN: lazy_gettext("Your proposal is withdrawn. The committee is told; the record is kept."),
}


def _proposal_url(edition, proposal, anchor=None) -> str:
    return url_for("cfp.proposal", slug=edition.slug, code=proposal.code, _anchor=anchor)


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


# -- writing -----------------------------------------------------------------------------------


def _proposal_form(edition, **kwargs):
    form = proposal_form_class(questions_of(edition))(**kwargs)
    form.set_choices(edition)
    return form


def _form_page(edition, form, proposal=None):
    return render_template(
        "cfp/proposal_form.html",
        edition=edition,
        form=form,
        proposal=proposal,
        open_now=(can_edit_proposal(proposal, current_user) if proposal
                  else call_is_open_for(edition, current_user)),
        locked=proposal is not None and is_locked(proposal),
        offers_submit=services.offers_submit(proposal),
        profile=speakers.get_profile(edition, current_user),
        closes_text=local_text(edition.cfp_closes_at, edition),
    ), 422 if form.errors else 200


def _created(edition, proposal, created: bool):
    if not created:
        flash(gettext("We had already received this form: here is your proposal."), "info")
    elif proposal.state is ProposalState.SUBMITTED:
        flash(str(SUBMITTED_MESSAGE), "success")
    else:
        flash(gettext("Your draft is saved. Submit it before the deadline."), "success")
    return redirect(_proposal_url(edition, proposal))


def _refused(edition, form, error):
    apply_domain_error(form, error)
    return _form_page(edition, form)


@bp.route("/<slug>/cfp/submit", methods=["GET", "POST"])
@guarded(signed_in, load=load_edition)
def submit(edition):
    form = _proposal_form(edition)
    if not form.is_submitted():
        form.submission_key.data = new_token(16)
    if not form.validate_on_submit():
        return _form_page(edition, form)
    return run_action(
        lambda: services.create_proposal(
            edition, _proposal_data(form), actor=current_user, submit=bool(form.submit.data),
            idempotency_key=form.submission_key.data or None,
        ),
        done=lambda made: _created(edition, *made),
        refused=lambda error: _refused(edition, form, error),
    )


@bp.route("/<slug>/cfp/proposals/<code>/edit", methods=["GET", "POST"])
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def edit(edition, proposal):
    form = _proposal_form(edition, obj=proposal)
    submitting = bool(form.submit.data)
    if not form.is_submitted():
        form.fill_from(proposal, answers_by_question(proposal))
    return run_form(
        form,
        lambda: services.update_proposal(proposal, _proposal_data(form), actor=current_user, submit=submitting),
        done=lambda saved: str(SUBMITTED_MESSAGE) if submitting and saved.state is ProposalState.SUBMITTED
        else gettext("Your proposal is saved."),
        back=_proposal_url(edition, proposal),
        render=lambda: _form_page(edition, form, proposal)[0],
    )


# -- one proposal --------------------------------------------------------------------------------


def _render_proposal(edition, proposal, *, invite_form=None, attachment_form=None, status=200):
    can_edit = can_edit_proposal(proposal, current_user)
    return render_template(
        "cfp/proposal.html",
        edition=edition,
        proposal=proposal,
        can_edit=can_edit,
        can_attach=can_attach_files(proposal, current_user),
        in_programme=is_accepted(proposal.state),
        moves=submission.move_buttons(proposal, current_user, Mover.SPEAKER),
        questions=questions_with_answers(proposal),
        pending_invitations=cospeakers.pending_invitations(proposal),
        cancellable={inv.id for inv in proposal.invitations if cospeakers.may_cancel_invitation(inv, current_user)},
        removable={link.id for link in proposal.speakers
                   if can_edit and cospeakers.may_remove_speaker(proposal, link, current_user)},
        invite_form=invite_form or InviteForm(),
        attachment_form=attachment_form or AttachmentForm(),
        action_form=ActionForm(),
        me=current_user,
        closes_text=local_text(edition.cfp_closes_at, edition),
        attachment_limit=files.human_size(files.attachment_limit()),
    ), status


@bp.get("/<slug>/cfp/proposals/<code>")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def proposal(edition, proposal):
    return _render_proposal(edition, proposal)


@bp.route("/<slug>/cfp/proposals/<code>/state/<move>", methods=["GET", "POST"])
@guarded(is_proposal_speaker, load=load_speaker_move, hide=True)
def move(edition, proposal, move):
    """GET asks for confirmation; POST makes the move."""
    new_state = SPEAKER_MOVES[move]
    if request.method == "POST":
        return run_button(
            lambda: submission.set_proposal_state(proposal, new_state, actor=current_user),
            done=str(MOVE_MESSAGES[new_state]),
            back=_proposal_url(edition, proposal),
        )
    return render_template("cfp/confirm_move.html", edition=edition, proposal=proposal, move=move,
                           new_state=new_state, form=ActionForm())


# -- co-speakers ---------------------------------------------------------------------------------


def _invite_limit() -> str:
    return current_app.config["INVITE_RATE_LIMIT"]


def _inviter_key() -> str:
    # Per person, not per address: invitations send mail to any address a speaker types.
    return f"cfp-invite:{current_user.get_id()}"


@bp.post("/<slug>/cfp/proposals/<code>/invite")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
@limiter.limit(_invite_limit, key_func=_inviter_key, error_message=lambda: gettext("You sent many invitations in a short time. Try again later."))
def invite(edition, proposal):
    form = InviteForm()
    return run_form(
        form,
        lambda: cospeakers.invite_co_speaker(proposal, form.email.data, actor=current_user),
        done=lambda invitation: gettext("We sent an invitation to %(email)s.", email=invitation.email),
        back=_proposal_url(edition, proposal, "speakers"),
        render=lambda: _render_proposal(edition, proposal, invite_form=form, status=422)[0],
    )


@bp.post("/<slug>/cfp/proposals/<code>/speakers/<profile_code>/remove")
@guarded(is_proposal_speaker, load=load_speaker_link, hide=True)
def remove_speaker(edition, proposal, link):
    leaving = link.profile.user_id == current_user.id
    done = perform_button(
        lambda: cospeakers.remove_speaker(proposal, link, actor=current_user),
        done=gettext("You left this proposal.") if leaving else gettext("The co-speaker is removed."),
    )
    if done and leaving:
        return redirect(url_for("cfp.my_proposals", slug=edition.slug))
    return redirect(_proposal_url(edition, proposal, "speakers"))


@bp.post("/<slug>/cfp/proposals/<code>/invitations/<int:invitation_id>/cancel")
@guarded(is_proposal_speaker, load=load_invitation, hide=True)
def cancel_invitation(edition, proposal, invitation):
    return run_button(
        lambda: cospeakers.cancel_invitation(invitation, actor=current_user),
        done=gettext("The invitation to %(email)s is cancelled: its link no longer works.", email=invitation.email),
        back=_proposal_url(edition, proposal, "speakers"),
    )


# -- files -----------------------------------------------------------------------------------------


@bp.post("/<slug>/cfp/proposals/<code>/files")
@guarded(is_proposal_speaker, load=load_proposal, hide=True)
def upload(edition, proposal):
    form = AttachmentForm()
    return run_form(
        form,
        lambda: attachments.add_attachment(
            proposal, form.file.data.stream, filename=form.file.data.filename or "", actor=current_user
        ),
        done=gettext("The file is uploaded."),
        back=_proposal_url(edition, proposal, "files"),
        render=lambda: _render_proposal(edition, proposal, attachment_form=form, status=422)[0],
    )


@bp.get("/<slug>/cfp/proposals/<code>/files/<attachment_code>")
@guarded(can_view_proposal, load=load_attachment, hide=True)
def attachment(edition, proposal, attachment):
    response = send_file(attachments.stored_attachment(attachment), mimetype="application/pdf", as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<slug>/cfp/proposals/<code>/files/<attachment_code>/delete")
@guarded(is_proposal_speaker, load=load_attachment, hide=True)
def delete_attachment(edition, proposal, attachment):
    return run_button(
        lambda: attachments.delete_attachment(attachment, actor=current_user),
        done=gettext("The file is deleted."),
        back=_proposal_url(edition, proposal, "files"),
    )
