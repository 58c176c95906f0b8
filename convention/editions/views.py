from flask import Blueprint, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.core.forms import ActionForm, fill_translation_fields, translation_values
from convention.core.permissions import guarded
from convention.core.timeutil import is_valid_timezone, to_local, to_utc
from convention.core.views import run_button, run_form
from convention.editions import services
from convention.editions.forms import ITEM_FORMS, EditionForm, GrantRoleForm
from convention.editions.loaders import load_edition, load_grant, load_item
from convention.editions.models import Role
from convention.editions.navigation import register_link
from convention.editions.permissions import can_create_edition, can_manage_edition, can_view_edition

bp = Blueprint("editions", __name__)


def _edition_data(form: EditionForm) -> services.EditionData:
    tz = form.timezone.data
    valid_tz = tz if is_valid_timezone(tz) else "UTC"  # the service refuses an unknown zone
    return services.EditionData(
        slug=form.slug.data,
        name=" ".join(form.name.data.split()),
        tagline=form.tagline.data or "",
        description=form.description.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        timezone=tz,
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        cfp_opens_at=to_utc(form.cfp_opens_at.data, valid_tz) if form.cfp_opens_at.data else None,
        cfp_closes_at=to_utc(form.cfp_closes_at.data, valid_tz) if form.cfp_closes_at.data else None,
        call_text=form.call_text.data or "",
        translations=translation_values(form, tuple(services.EDITION_TRANSLATED)),
    )


@bp.get("/<slug>/")
@guarded(can_view_edition, load=load_edition)
def landing(edition):
    return render_template(
        "editions/landing.html", edition=edition, can_manage=can_manage_edition(current_user, edition)
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@guarded(can_create_edition)
def create():
    form = EditionForm()
    return run_form(
        form,
        lambda: services.create_edition(_edition_data(form), actor=current_user),
        done=lambda edition: gettext("%(name)s is created as a draft, with the default themes and formats: "
                                     "only its team sees it until you publish it.", name=edition.name),
        back=lambda edition: url_for("editions.manage", slug=edition.slug),
        render=lambda: render_template("editions/edition_form.html", form=form, edition=None),
    )


@bp.route("/<slug>/manage/", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def manage(edition):
    form = EditionForm(obj=edition)
    if not form.is_submitted():
        form.cfp_opens_at.data = _local_naive(edition.cfp_opens_at, edition.timezone)
        form.cfp_closes_at.data = _local_naive(edition.cfp_closes_at, edition.timezone)
        fill_translation_fields(form, edition, tuple(services.EDITION_TRANSLATED))
    return run_form(
        form,
        lambda: services.update_edition(edition, _edition_data(form), actor=current_user),
        done=gettext("Edition saved."),
        back=lambda saved: url_for("editions.manage", slug=saved.slug),
        render=lambda: render_template(
            "editions/manage.html", edition=edition, form=form, kinds=services.ITEM_KINDS, action_form=ActionForm()
        ),
    )


def _local_naive(value, tz_name):
    local = to_local(value, tz_name)
    return local.replace(tzinfo=None) if local else None


@bp.post("/<slug>/manage/publish")
@guarded(can_manage_edition, load=load_edition)
def publish(edition):
    return run_button(
        lambda: services.set_edition_published(edition, True, actor=current_user),
        done=gettext("%(name)s is published: its pages are public.", name=edition.name),
        back=url_for("editions.manage", slug=edition.slug),
    )


@bp.post("/<slug>/manage/unpublish")
@guarded(can_manage_edition, load=load_edition)
def unpublish(edition):
    return run_button(
        lambda: services.set_edition_published(edition, False, actor=current_user),
        done=gettext("%(name)s is a draft again: only its team sees it.", name=edition.name),
        back=url_for("editions.manage", slug=edition.slug),
    )


@bp.route("/<slug>/manage/<kind>/new", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_item)
def create_item(edition, kind):
    return _item_form(edition, kind, item=None)


@bp.route("/<slug>/manage/<kind>/<int:item_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_item)
def edit_item(edition, kind, item):
    return _item_form(edition, kind, item=item)


def _item_form(edition, kind, *, item):
    form = ITEM_FORMS[kind.key](obj=item)
    translated = tuple(field for field, _ in kind.translated)
    if translated and not form.is_submitted():
        fill_translation_fields(form, item, translated)
    return run_form(
        form,
        lambda: services.save_item(edition, kind, _item_values(form, translated), actor=current_user, item=item),
        done=kind.texts.saved,
        back=url_for("editions.manage", slug=edition.slug, _anchor=kind.key),
        render=lambda: render_template("editions/item_form.html", edition=edition, kind=kind, item=item, form=form),
    )


def _item_values(form, translated: tuple[str, ...]) -> dict:
    values = dict(form.data)
    if translated:
        values["translations"] = translation_values(form, translated)
    return values


@bp.post("/<slug>/manage/<kind>/<int:item_id>/delete")
@guarded(can_manage_edition, load=load_item)
def delete_item(edition, kind, item):
    return run_button(
        lambda: services.delete_item(edition, kind, item, actor=current_user),
        done=kind.texts.deleted,
        back=url_for("editions.manage", slug=edition.slug, _anchor=kind.key),
    )


@bp.route("/<slug>/manage/team", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def team(edition):
    form = GrantRoleForm()
    return run_form(
        form,
        lambda: services.grant_role_by_email(edition, form.email.data, Role(form.role.data), actor=current_user),
        done=lambda grant: gettext("Team member added.") if grant.user.email_confirmed else gettext(
            "Team member added. %(name)s has not confirmed their email address yet: "
            "the role takes effect once they do.", name=grant.user.name),
        back=url_for("editions.team", slug=edition.slug),
        render=lambda: render_template(
            "editions/team.html", edition=edition, form=form, team=services.list_team(edition), action_form=ActionForm()
        ),
    )


@bp.post("/<slug>/manage/team/<int:grant_id>/revoke")
@guarded(can_manage_edition, load=load_grant)
def revoke(edition, grant):
    return run_button(
        lambda: services.revoke_role(edition, grant, actor=current_user),
        done=gettext("Role removed."),
        back=url_for("editions.team", slug=edition.slug),
    )



register_link("public", lazy_gettext("Organizer area"), "editions.manage", order=90, visible=can_manage_edition)
register_link("manage", lazy_gettext("Settings"), "editions.manage", order=0)
register_link("manage", lazy_gettext("Team"), "editions.team", order=90)
