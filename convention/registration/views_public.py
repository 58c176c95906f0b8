"""Public registration pages: the shop, checkout, the waiting list, the secret order page."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from convention.core.codes import new_token
from convention.core.errors import DomainError
from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded
from convention.core.timeutil import utcnow
from convention.core.views import perform_button, run_action, run_button, run_form
from convention.editions.loaders import load_edition
from convention.extensions import limiter
from convention.registration import self_service, services, waiting_list
from convention.registration.errors import SoldOut
from convention.registration.forms import (
    AttendeeNamesForm,
    CheckoutForm,
    WaitingListForm,
    format_selection,
    parse_selection,
)
from convention.registration.loaders import load_order, load_shop_ticket_type, load_waiting_entry
from convention.registration.ordering import AttendeeData, create_order
from convention.registration.permissions import can_buy_tickets, holds_order_link, holds_waiting_list_link
from convention.registration.pricing import find_voucher, quote_checkout, quote_selection, shop_items
from convention.registration.receipts import receipt_pdf
from convention.registration.settings import get_settings
from convention.registration.views import bp

# -- the shop ---------------------------------------------------------------------------


# Rate limits (Flask-Limiter; counters in Redis with REDIS_URL, never in the database):
# placing orders and joining waiting lists per client address and per typed email,
# voucher lookups per client address (one bucket for the shop and the checkout page).
# The messages are callables (Flask-Limiter calls them) so that each refusal speaks the
# request's language; they keep the names of the constants they were.
def TOO_MANY_ORDERS() -> str:
    return gettext("Too many orders from here in a short time. Wait a few minutes and try again.")


def TOO_MANY_WAITING() -> str:
    return gettext("Too many waiting-list sign-ups in a short time. Try again later.")


def TOO_MANY_VOUCHERS() -> str:
    return gettext("Too many voucher codes tried in a short time. Wait a few minutes and try again.")


def _checkout_limit() -> str:
    return current_app.config["CHECKOUT_RATE_LIMIT"]


def _waiting_list_limit() -> str:
    return current_app.config["WAITING_LIST_RATE_LIMIT"]


def _voucher_limit() -> str:
    return current_app.config["VOUCHER_RATE_LIMIT"]


def _submitted_email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def _no_voucher_code() -> bool:
    return not (request.args.get("voucher") or "").strip()


voucher_lookup_limit = limiter.shared_limit(
    _voucher_limit, scope="registration-voucher-lookup", exempt_when=_no_voucher_code, error_message=TOO_MANY_VOUCHERS
)


def _render_shop(edition, *, voucher_code: str = "", error: DomainError | None = None, wanted=None):
    """The shop page; ``error`` (a refusal or "sold out") is shown above the form, never as an error page."""
    now = utcnow()
    voucher, voucher_error = None, None
    try:
        voucher = find_voucher(edition, voucher_code)
    except DomainError as refused:
        voucher_error = refused.message
    items = shop_items(edition, voucher=voucher, now=now)
    sold_out_ids = set(getattr(error, "ticket_type_ids", ()))
    status = 200 if error is None and voucher_error is None else 422
    if error is not None and error.status_code == 409:  # sold out, or changed meanwhile
        status = 409
    return (
        render_template(
            "registration/shop.html",
            edition=edition,
            items=items,
            voucher_code=voucher_code if voucher else "",
            typed_voucher=voucher_code,
            voucher=voucher,
            voucher_error=voucher_error,
            error=error.message if error else None,
            sold_out_ids=sold_out_ids,
            wanted=wanted or {},
            settings=get_settings(edition),
        ),
        status,
    )


@bp.get("/<slug>/tickets/")
@voucher_lookup_limit
@guarded(can_buy_tickets, load=load_edition)
def shop(edition):
    return _render_shop(edition, voucher_code=request.args.get("voucher", "").strip())


def _selection_from_args() -> dict[int, int]:
    selection = {}
    for key, value in request.args.items():
        if key.startswith("q-") and value.strip():
            try:
                selection[int(key[2:])] = int(value)
            except ValueError:
                continue
    return selection


def _checkout_page(edition, form: CheckoutForm, quote, status: int = 200, sold_out=None):
    settings = get_settings(edition)
    return (
        render_template(
            "registration/checkout.html",
            edition=edition,
            form=form,
            quote=quote,
            settings=settings,
            sold_out=sold_out,
        ),
        status,
    )


@bp.get("/<slug>/tickets/checkout")
@voucher_lookup_limit
@guarded(can_buy_tickets, load=load_edition)
def checkout(edition):
    selection = _selection_from_args()
    voucher_code = request.args.get("voucher", "").strip()
    try:
        quote = quote_checkout(edition, selection, voucher_code=voucher_code, now=utcnow())
    except DomainError as error:
        return _render_shop(edition, voucher_code=voucher_code, error=error, wanted=selection)
    form = CheckoutForm(
        selection=format_selection(quote.counts),
        voucher=voucher_code,
        total_cents=str(quote.total_cents),
        privacy_version=get_settings(edition).privacy_version,
        submission_key=new_token(16),
    )
    if current_user.is_authenticated:
        form.buyer_name.data, form.email.data = current_user.name, current_user.email
    for _ in quote.lines:
        form.attendees.append_entry()
    if current_user.is_authenticated and form.attendees.entries:
        first = form.attendees.entries[0].form
        first.name.data, first.email.data = current_user.name, current_user.email
    return _checkout_page(edition, form, quote)


@bp.post("/<slug>/tickets/checkout")
@limiter.limit(_checkout_limit, error_message=TOO_MANY_ORDERS)
@limiter.limit(_checkout_limit, key_func=_submitted_email_key, error_message=TOO_MANY_ORDERS)
@guarded(can_buy_tickets, load=load_edition)
def place_order(edition):
    form = CheckoutForm()
    try:
        selection = parse_selection(form.selection.data or "")
    except ValueError:
        return _render_shop(edition, error=DomainError(gettext("The ticket selection is not valid.")))

    def refused(status: int, sold_out=None):
        """Show the form again with what the server says the order costs now."""
        try:
            quote = quote_selection(edition, selection, voucher_code=form.voucher.data, now=utcnow())
        except DomainError as error:
            return _render_shop(edition, voucher_code=form.voucher.data or "", error=error)
        return _checkout_page(edition, form, quote, status, sold_out=sold_out)

    def place():
        order = create_order(
            edition,
            selection=selection,
            attendees=[
                AttendeeData(entry.form.name.data, entry.form.email.data or "", entry.form.organisation.data or "")
                for entry in form.attendees.entries
            ],
            email=form.email.data,
            buyer_name=form.buyer_name.data,
            voucher_code=form.voucher.data,
            consent_version=form.privacy_version.data if form.consent.data else None,
            expected_total_cents=int(form.total_cents.data),
            user=current_user if current_user.is_authenticated else None,
            idempotency_key=form.submission_key.data or None,
        )
        # Read before the commit expires the rows: after it, each would cost a SELECT again.
        return order, _back_to_order(edition, order), services.has_payment_to_start(order)

    def not_placed(error: DomainError):
        if isinstance(error, SoldOut):
            form.form_errors.append(error.message)
            return refused(error.status_code, sold_out=error)
        apply_domain_error(form, error)
        return refused(409 if error.status_code == 409 else 422)

    if not form.validate_on_submit():
        return refused(422)
    # The order is committed before the payment starts: the seat counters stay locked
    # only while the order is written, never while the payment provider answers.
    return run_action(place, done=_after_placing, refused=not_placed)


def _after_placing(placed):
    order, order_page_url, to_start = placed
    if not to_start:  # paid already (free), or paid from the order page (bank transfer)
        return redirect(order_page_url, code=303)
    return _go_pay(order, order_page_url, services.begin_payment)


def _go_pay(order, order_page_url: str, start):
    """Run ``start(order)`` (begin the payment) and hand over to the provider's page, or
    show the order page (with the refusal, if the provider said no)."""

    def refused(error: DomainError):
        flash(error.message, "danger")
        return redirect(order_page_url, code=303)

    return run_action(lambda: start(order), done=lambda url: redirect(url or order_page_url, code=303),
                      refused=refused)


# -- waiting list -----------------------------------------------------------------------


@bp.route("/<slug>/tickets/<int:ticket_type_id>/waiting-list", methods=["GET", "POST"])
@limiter.limit(_waiting_list_limit, methods=["POST"], error_message=TOO_MANY_WAITING)
@limiter.limit(_waiting_list_limit, methods=["POST"], key_func=_submitted_email_key, error_message=TOO_MANY_WAITING)
@guarded(can_buy_tickets, load=load_shop_ticket_type)
def join_waiting_list(edition, ticket_type):
    settings = get_settings(edition)
    form = WaitingListForm(privacy_version=settings.privacy_version, quantity=request.args.get("quantity", 1, type=int))
    if current_user.is_authenticated and not form.is_submitted():
        form.name.data, form.email.data = current_user.name, current_user.email
    return run_form(
        form,
        lambda: waiting_list.join_waiting_list(edition, ticket_type, name=form.name.data, email=form.email.data,
                                               quantity=form.quantity.data, consent_version=form.privacy_version.data),
        done=gettext("Almost there: we sent you an email. Follow its link to confirm your place on the waiting list."),
        back=url_for("registration.shop", slug=edition.slug),
        render=lambda: render_template("registration/waiting_join.html", edition=edition, ticket_type=ticket_type,
                                       form=form, settings=settings),
    )


@bp.route("/<slug>/waiting-list/<secret>/confirm", methods=["GET", "POST"])
@guarded(holds_waiting_list_link, load=load_waiting_entry)
def confirm_waiting_list(edition, entry):
    """The emailed link opens a page with a button: mail scanners open links, a GET never writes."""
    form = ActionForm()
    if perform_button(lambda: waiting_list.confirm_waiting_entry(entry), form=form,
                      done=gettext("Confirmed: you are on the waiting list. We will email you as soon as seats come free.")):
        return redirect(url_for("registration.confirm_waiting_list", slug=edition.slug, secret=entry.secret))
    return render_template("registration/waiting_confirm.html", edition=edition, entry=entry, form=form,
                           awaits_confirmation=waiting_list.awaits_confirmation(entry),
                           is_waiting=waiting_list.is_waiting(entry))


def _flash_and_go(message: str, category: str, back: str):
    flash(message, category)
    return redirect(back)


@bp.route("/<slug>/waiting-list/<secret>/leave", methods=["GET", "POST"])
@guarded(holds_waiting_list_link, load=load_waiting_entry)
def leave_waiting_list(edition, entry):
    form = ActionForm()
    if form.validate_on_submit():
        back = url_for("registration.shop", slug=edition.slug)
        return run_action(lambda: waiting_list.leave_waiting_list(entry),
                          done=lambda _: _flash_and_go(gettext("You have left the waiting list."), "info", back),
                          refused=lambda error: _flash_and_go(error.message, "danger", back))
    return render_template("registration/waiting_leave.html", edition=edition, entry=entry, form=form,
                           can_leave=waiting_list.can_leave(entry))


# -- the order page ---------------------------------------------------------------------


def _order_page(edition, order, names_form=None):
    settings = get_settings(edition)
    page = self_service.order_page(order, settings)  # read only: an overdue reservation shows as expired
    if names_form is None and page.names_editable:
        names_form = AttendeeNamesForm()
        for attendee in order.attendees:
            names_form.attendees.append_entry(
                {"attendee_id": attendee.id, "name": attendee.name, "email": attendee.email,
                 "organisation": attendee.organisation}
            )
    return render_template(
        "registration/order.html",
        edition=edition,
        order=order,
        page=page,
        state=page.state,
        settings=settings,
        names_form=names_form if page.names_editable else None,
        errors=names_form.form_errors if names_form is not None and not page.names_editable else [],
        action_form=ActionForm(),
    )


def _back_to_order(edition, order) -> str:
    return url_for("registration.order_page", slug=edition.slug, secret=order.secret)


@bp.get("/<slug>/orders/<secret>/")
@guarded(holds_order_link, load=load_order)
def order_page(edition, order):
    return _order_page(edition, order)


@bp.post("/<slug>/orders/<secret>/attendees")
@guarded(holds_order_link, load=load_order)
def update_attendees(edition, order):
    form = AttendeeNamesForm()

    def save():
        try:
            changes = {
                int(entry.form.attendee_id.data): AttendeeData(
                    entry.form.name.data, entry.form.email.data or "", entry.form.organisation.data or ""
                )
                for entry in form.attendees.entries
            }
        except (ValueError, TypeError):
            raise DomainError(gettext("The form is not valid; reload the page and try again.")) from None
        return self_service.update_attendees(order, changes)

    return run_form(form, save, done=gettext("Attendee details saved."), back=_back_to_order(edition, order),
                    render=lambda: _order_page(edition, order, names_form=form))


@bp.post("/<slug>/orders/<secret>/cancel")
@guarded(holds_order_link, load=load_order)
def cancel_order(edition, order):
    return run_button(lambda: self_service.cancel_own_order(order), done=gettext("Your order is cancelled."),
                      back=_back_to_order(edition, order))


@bp.post("/<slug>/orders/<secret>/pay")
@guarded(holds_order_link, load=load_order)
def pay_order(edition, order):
    if not ActionForm().validate_on_submit():
        return redirect(_back_to_order(edition, order))
    return _go_pay(order, _back_to_order(edition, order), services.pay_order)


@bp.post("/<slug>/orders/<secret>/confirm")
@guarded(holds_order_link, load=load_order)
def confirm_order(edition, order):
    back = _back_to_order(edition, order)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    return run_action(
        lambda: services.confirm_offer(order),
        done=lambda confirmed: _flash_and_go(gettext("Your registration is confirmed."), "success", back) if confirmed
        else _flash_and_go(gettext("This offer has expired."), "warning", back),
        refused=lambda error: _flash_and_go(error.message, "danger", back),
    )


@bp.get("/<slug>/orders/<secret>/receipt.pdf")
@guarded(holds_order_link, load=load_order)
def receipt(edition, order):
    if not services.has_receipt(order):
        abort(404)
    pdf = receipt_pdf(order, edition, get_settings(edition))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{order.code}.pdf"', "Cache-Control": "private, no-store"},
    )
