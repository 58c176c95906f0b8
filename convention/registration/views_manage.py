"""Organizer registration pages under /<slug>/manage/ (all guarded by ``can_manage_edition``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from convention.core.forms import ActionForm, fill_translation_fields, translation_values
from convention.core.inputs import int_arg, page_arg, query_args
from convention.core.permissions import guarded
from convention.core.timeutil import to_local, to_utc, utcnow
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_manage_edition
from convention.registration import catalog, reports, services
from convention.registration.forms import (
    ORDER_STATE_CHOICES,
    MarkPaidForm,
    QuotaForm,
    RegistrationSettingsForm,
    TicketTypeForm,
    VoucherForm,
)
from convention.registration.inventory import seats_left
from convention.registration.loaders import load_order_by_code, load_quota, load_ticket_type, load_voucher
from convention.registration.models import PaymentMethod, TicketCategory, VoucherKind
from convention.registration.notices import order_url
from convention.registration.payment_providers import payment_methods
from convention.registration.settings import get_settings
from convention.registration.views import bp
from convention.registration.waiting_list import entry_page


def _utc(value, edition):
    return to_utc(value, edition.timezone) if value else None


def _local(value, edition):
    local = to_local(value, edition.timezone)
    return local.replace(tzinfo=None) if local else None


def _csv_response(lines: Iterator[str], filename: str) -> Response:
    """A CSV download streamed line by line while the rows come from the database."""
    return Response(
        stream_with_context(itertools.chain(["\ufeff"], lines)),  # a BOM, so spreadsheets read the UTF-8 names right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


# -- ticket types and quotas ------------------------------------------------------------


@bp.get("/<slug>/manage/tickets/")
@guarded(can_manage_edition, load=load_edition)
def manage_tickets(edition):
    types = catalog.list_ticket_types(edition)
    now = utcnow()
    return render_template(
        "registration/manage_tickets.html",
        edition=edition,
        ticket_types=[t for t in types if t.category is TicketCategory.TICKET],
        free_types=[t for t in types if t.category is not TicketCategory.TICKET],
        quotas=catalog.list_quotas(edition),
        sales=reports.seats_by_type(edition),
        seats_left={t.id: seats_left(t) for t in types},
        sale_closed={t.id: t.sale_closed(now) for t in types},
        action_form=ActionForm(),
    )


def _manage_form(edition, form, title: str):
    return lambda: render_template(
        "registration/manage_form.html", edition=edition, form=form, title=title,
        back=url_for("registration.manage_tickets", slug=edition.slug),
    )


@bp.route("/<slug>/manage/tickets/new", methods=["GET", "POST"])
@bp.route("/<slug>/manage/tickets/<int:ticket_type_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_ticket_type)
def edit_ticket_type(edition, ticket_type):
    form = TicketTypeForm(obj=ticket_type)
    if not form.is_submitted() and ticket_type is not None:
        form.price.set_cents(ticket_type.price_cents)
        form.vat_rate.data = f"{ticket_type.vat_rate_bp / 100:g}"
        form.sale_starts_at.data = _local(ticket_type.sale_starts_at, edition)
        form.sale_ends_at.data = _local(ticket_type.sale_ends_at, edition)
    if not form.is_submitted():
        fill_translation_fields(form, ticket_type, tuple(catalog.TICKET_TYPE_TRANSLATED))

    def save():
        data = catalog.TicketTypeData(
            name=form.name.data,
            description=form.description.data or "",
            price_cents=form.price.cents or 0,
            currency=form.currency.data,
            vat_rate_bp=form.vat_rate_bp,
            capacity=form.capacity.data,
            sale_starts_at=_utc(form.sale_starts_at.data, edition),
            sale_ends_at=_utc(form.sale_ends_at.data, edition),
            valid_on=form.valid_on.data,
            max_per_order=form.max_per_order.data,
            requires_voucher=form.requires_voucher.data,
            hidden=form.hidden.data,
            position=form.position.data or 0,
            translations=translation_values(form, tuple(catalog.TICKET_TYPE_TRANSLATED)),
        )
        return catalog.save_ticket_type(edition, data, actor=current_user, ticket_type=ticket_type)

    return run_form(form, save, done=gettext("Ticket type saved."), back=url_for("registration.manage_tickets", slug=edition.slug),
                    render=_manage_form(edition, form, gettext("Ticket type") if ticket_type is None else ticket_type.name))


@bp.post("/<slug>/manage/tickets/<int:ticket_type_id>/delete")
@guarded(can_manage_edition, load=load_ticket_type)
def delete_ticket_type(edition, ticket_type):
    return run_button(lambda: catalog.delete_ticket_type(edition, ticket_type, actor=current_user),
                      done=gettext("Ticket type deleted."), back=url_for("registration.manage_tickets", slug=edition.slug))


@bp.route("/<slug>/manage/quotas/new", methods=["GET", "POST"])
@bp.route("/<slug>/manage/quotas/<int:quota_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_quota)
def edit_quota(edition, quota):
    form = QuotaForm(obj=quota)
    form.ticket_types.choices = [SelectChoice(t.id, t.name) for t in catalog.list_ticket_types(edition)]
    if not form.is_submitted() and quota is not None:
        form.ticket_types.data = [t.id for t in quota.ticket_types]
    return run_form(
        form,
        lambda: catalog.save_quota(edition, name=form.name.data, capacity=form.capacity.data,
                                   ticket_type_ids=form.ticket_types.data or [], actor=current_user, quota=quota),
        done=gettext("Quota saved."),
        back=url_for("registration.manage_tickets", slug=edition.slug),
        render=_manage_form(edition, form, gettext("Quota") if quota is None else quota.name),
    )


@bp.post("/<slug>/manage/quotas/<int:quota_id>/delete")
@guarded(can_manage_edition, load=load_quota)
def delete_quota(edition, quota):
    return run_button(lambda: catalog.delete_quota(edition, quota, actor=current_user),
                      done=gettext("Quota deleted."), back=url_for("registration.manage_tickets", slug=edition.slug))


# -- vouchers ---------------------------------------------------------------------------


@bp.route("/<slug>/manage/vouchers/", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def manage_vouchers(edition):
    form = VoucherForm()
    form.ticket_type.choices = [SelectChoice(0, gettext("Any ticket type"))] + [
        SelectChoice(t.id, t.name) for t in catalog.list_ticket_types(edition) if t.category is TicketCategory.TICKET
    ]

    def save():
        kind = VoucherKind(form.kind.data)
        data = catalog.VoucherData(
            kind=kind,
            value=(form.percent.data or 0) if kind is VoucherKind.PERCENT else (form.amount.cents or 0),
            ticket_type_id=form.ticket_type.data or None,
            max_uses=form.max_uses.data,
            valid_from=_utc(form.valid_from.data, edition),
            valid_until=_utc(form.valid_until.data, edition),
            comment=form.comment.data or "",
        )
        return catalog.create_vouchers(edition, data, actor=current_user, code=form.code.data or None,
                                       count=form.count.data, prefix=form.prefix.data or "")

    return run_form(
        form, save,
        done=lambda created: f"{len(created)} voucher(s) created.",
        back=url_for("registration.manage_vouchers", slug=edition.slug),
        render=lambda: render_template("registration/manage_vouchers.html", edition=edition, form=form,
                                       page=catalog.voucher_page(edition, page=page_arg()),
                                       pager_args={"slug": edition.slug}, action_form=ActionForm()),
    )


@bp.get("/<slug>/manage/vouchers.csv")
@guarded(can_manage_edition, load=load_edition)
def vouchers_csv(edition):
    return _csv_response(reports.vouchers_csv(edition), f"{edition.slug}-vouchers.csv")


@bp.post("/<slug>/manage/vouchers/<int:voucher_id>/delete")
@guarded(can_manage_edition, load=load_voucher)
def delete_voucher(edition, voucher):
    return run_button(lambda: catalog.delete_voucher(edition, voucher, actor=current_user),
                      done=gettext("Voucher deleted."), back=url_for("registration.manage_vouchers", slug=edition.slug))


# -- orders -----------------------------------------------------------------------------


ORDER_FILTER_ARGS = ("q", "state", "ticket_type", "method")  # kept on every page link


@bp.get("/<slug>/manage/orders/")
@guarded(can_manage_edition, load=load_edition)
def manage_orders(edition):
    filters = {
        "text": request.args.get("q", "").strip()[:100],
        "state": request.args.get("state", ""),
        "ticket_type_id": int_arg("ticket_type"),
        "method": request.args.get("method", ""),
    }
    page = reports.search_orders(edition, **filters, page=page_arg())
    return render_template(
        "registration/manage_orders.html",
        edition=edition,
        page=page,
        filters=filters,
        pager_args={"slug": edition.slug, **query_args(*ORDER_FILTER_ARGS)},
        state_choices=ORDER_STATE_CHOICES,
        ticket_types=catalog.list_ticket_types(edition),
        methods=payment_methods(),
    )


@bp.get("/<slug>/manage/attendees.csv")
@guarded(can_manage_edition, load=load_edition)
def attendees_csv(edition):
    return _csv_response(reports.attendees_csv(edition), f"{edition.slug}-attendees.csv")


@bp.get("/<slug>/manage/orders/<code>")
@guarded(can_manage_edition, load=load_order_by_code)
def manage_order(edition, order):
    return render_template(
        "registration/manage_order.html",
        edition=edition,
        order=order,
        paid_form=MarkPaidForm(),
        action_form=ActionForm(),
        actions=services.order_actions(order),
        order_link=order_url(order),
    )


def _order_back(edition, order) -> str:
    return url_for("registration.manage_order", slug=edition.slug, code=order.code)


@bp.post("/<slug>/manage/orders/<code>/mark-paid")
@guarded(can_manage_edition, load=load_order_by_code)
def mark_paid(edition, order):
    form = MarkPaidForm()
    return run_button(
        lambda: services.mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency,
                                         method=PaymentMethod.BANK_TRANSFER.value,
                                         reference=form.reference.data or None, actor=current_user),
        form=form,
        done=gettext("Order %(code)s is marked as paid; the buyer gets the confirmation.", code=order.code),
        back=_order_back(edition, order),
    )


@bp.post("/<slug>/manage/orders/<code>/cancel")
@guarded(can_manage_edition, load=load_order_by_code)
def cancel(edition, order):
    return run_button(lambda: services.cancel_order(order, actor=current_user),
                      done=lambda cancelled: gettext("Order %(code)s is %(state)s.", code=cancelled.code,
                                                    state=cancelled.state.label.lower()),
                      back=_order_back(edition, order))


@bp.post("/<slug>/manage/orders/<code>/resend")
@guarded(can_manage_edition, load=load_order_by_code)
def resend(edition, order):
    return run_button(lambda: services.resend_confirmation(order, actor=current_user),
                      done=gettext("The email is sent again."), back=_order_back(edition, order))


# -- figures, waiting list, settings ----------------------------------------------------


@bp.get("/<slug>/manage/registration/sales")
@guarded(can_manage_edition, load=load_edition)
def sales(edition):
    return render_template("registration/manage_sales.html", edition=edition, report=reports.sales_report(edition))


@bp.get("/<slug>/manage/registration/waiting-list")
@guarded(can_manage_edition, load=load_edition)
def manage_waiting_list(edition):
    return render_template("registration/manage_waiting_list.html", edition=edition,
                           page=entry_page(edition, page=page_arg()), pager_args={"slug": edition.slug})


@bp.route("/<slug>/manage/registration/settings", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def registration_settings(edition):
    settings = get_settings(edition)
    form = RegistrationSettingsForm(obj=settings)
    if not form.is_submitted():
        form.cancellation_fee.set_cents(settings.cancellation_fee_cents)
        form.name_changes_until.data = _local(settings.name_changes_until, edition)
        form.self_cancel_until.data = _local(settings.self_cancel_until, edition)

    def save():
        values = {key: getattr(form, key).data for key in catalog.SETTINGS_FIELDS if hasattr(form, key)}
        values["cancellation_fee_cents"] = form.cancellation_fee.cents or 0
        values["name_changes_until"] = _utc(form.name_changes_until.data, edition)
        values["self_cancel_until"] = _utc(form.self_cancel_until.data, edition)
        return catalog.update_registration_settings(settings, values, actor=current_user)

    return run_form(
        form, save, done=gettext("Registration settings saved."),
        back=url_for("registration.registration_settings", slug=edition.slug),
        render=_manage_form(edition, form, gettext("Registration settings")),
    )
