"""Registration forms: they validate input only; prices and rules live in the services."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from convention.core.forms import in_language
from convention.core.money import parse_money
from convention.core.text import HumanText
from convention.registration.models import OrderState, VoucherKind

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def parse_selection(text: str) -> dict[int, int]:
    """"12:2,14:1" -> {12: 2, 14: 1}; ValueError on anything else."""
    selection: dict[int, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        type_id, _, qty = part.partition(":")
        selection[int(type_id)] = selection.get(int(type_id), 0) + int(qty)
    return selection


def format_selection(selection: dict[int, int]) -> str:
    return ",".join(f"{type_id}:{qty}" for type_id, qty in sorted(selection.items()) if qty)


class MoneyField(StringField):
    """An amount typed as "12.50", kept as integer cents in ``cents``."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.cents = None
        if self.data not in (None, ""):
            try:
                self.cents = parse_money(self.data)
            except ValueError as exc:
                raise ValueError(gettext("Enter an amount such as 12.50.")) from exc
            if self.cents < 0:
                raise ValueError(gettext("The amount cannot be negative."))

    def set_cents(self, cents: int | None) -> None:
        self.data = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


# -- buyers -----------------------------------------------------------------------------


class AttendeeForm(Form):
    """One seat's person (a sub-form: the page's CSRF token covers it)."""

    attendee_id = HiddenField()
    name = StringField(lazy_gettext("Full name"), validators=[DataRequired(message=lazy_gettext("Enter the attendee's name.")), Length(max=120), HumanText()])
    email = EmailField(lazy_gettext("Email"), validators=[Optional(), Email(), Length(max=254)])
    organisation = StringField(lazy_gettext("Organisation"), validators=[Optional(), Length(max=160), HumanText()])


class CheckoutForm(FlaskForm):
    selection = HiddenField(validators=[DataRequired()])
    voucher = HiddenField()
    total_cents = HiddenField(validators=[DataRequired()])
    privacy_version = HiddenField(validators=[DataRequired()])
    submission_key = HiddenField(validators=[Optional(), Length(max=64)])
    buyer_name = StringField(lazy_gettext("Your name"), validators=[DataRequired(), Length(max=120), HumanText()])
    email = EmailField(lazy_gettext("Email for the confirmation"), validators=[DataRequired(), Email(), Length(max=254)])
    attendees = FieldList(FormField(AttendeeForm), min_entries=0, max_entries=20)
    consent = BooleanField(lazy_gettext("I have read the privacy notice and agree to my data being used to run this convention."))
    submit = SubmitField(lazy_gettext("Place order"))

    def validate_selection(self, field):
        try:
            parse_selection(field.data)
        except ValueError as exc:
            raise ValidationError(gettext("The ticket selection is not valid.")) from exc

    def validate_total_cents(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(gettext("The total is not valid."))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(gettext("Please accept the privacy notice to register."))


class AttendeeNamesForm(FlaskForm):
    attendees = FieldList(FormField(AttendeeForm), min_entries=0, max_entries=20)
    submit = SubmitField(lazy_gettext("Save attendee details"))


class WaitingListForm(FlaskForm):
    name = StringField(lazy_gettext("Your name"), validators=[DataRequired(), Length(max=120), HumanText()])
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    quantity = IntegerField(lazy_gettext("Tickets wanted"), default=1, validators=[DataRequired(), NumberRange(min=1, max=10)])
    privacy_version = HiddenField(validators=[DataRequired()])
    consent = BooleanField(lazy_gettext("I agree to my name and email being kept for the waiting list."))
    submit = SubmitField(lazy_gettext("Join the waiting list"))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(gettext("Please accept the privacy notice to join the list."))


# -- organizers -------------------------------------------------------------------------


class TicketTypeForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120), HumanText()])
    name_nl = in_language("name", "nl", max_length=120)
    name_fr = in_language("name", "fr", max_length=120)
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=5000)])
    description_nl = in_language("description", "nl", max_length=5000, rows=2)
    description_fr = in_language("description", "fr", max_length=5000, rows=2)
    price = MoneyField(lazy_gettext("Price, VAT included"), default="0.00", validators=[DataRequired()])
    currency = StringField(lazy_gettext("Currency"), default="EUR", validators=[DataRequired(), Length(min=3, max=3)])
    vat_rate = StringField(lazy_gettext("VAT rate (%)"), default="21", validators=[DataRequired(), Length(max=6)])
    capacity = IntegerField(
        lazy_gettext("Capacity"), validators=[Optional(), NumberRange(min=0, max=1_000_000)], description=lazy_gettext("Empty: only the quotas limit it.")
    )
    sale_starts_at = DateTimeLocalField(lazy_gettext("Sale opens"), format=LOCAL_FORMAT, validators=[Optional()])
    sale_ends_at = DateTimeLocalField(lazy_gettext("Sale closes"), format=LOCAL_FORMAT, validators=[Optional()])
    valid_on = DateField(lazy_gettext("Day ticket for"), validators=[Optional()], description=lazy_gettext("Empty: valid every day."))
    max_per_order = IntegerField(
        lazy_gettext("At most per order"), default=10,
        validators=[InputRequired(message=lazy_gettext("Enter how many tickets one order may have.")),
                    NumberRange(min=1, max=20, message=lazy_gettext("Allow 1 to 20 tickets per order."))],
    )
    requires_voucher = BooleanField(lazy_gettext("Needs a voucher"))
    hidden = BooleanField(lazy_gettext("Hidden (shown only with a voucher for it)"))
    position = IntegerField(lazy_gettext("Order in the shop"), default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField(lazy_gettext("Save ticket type"))

    def validate_vat_rate(self, field):
        try:
            self.vat_rate_bp = parse_money(field.data)
        except ValueError as exc:
            raise ValidationError(gettext("Enter a percentage such as 21 or 6.")) from exc
        if not 0 <= self.vat_rate_bp <= 10000:
            raise ValidationError(gettext("Between 0 and 100 %."))


class QuotaForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120), HumanText()])
    capacity = IntegerField(lazy_gettext("Capacity"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    ticket_types = SelectMultipleField(
        lazy_gettext("Ticket types it caps"), coerce=int,
        validators=[DataRequired(message=lazy_gettext("Choose the ticket types this quota caps."))],
    )
    submit = SubmitField(lazy_gettext("Save quota"))


class VoucherForm(FlaskForm):
    code = StringField(lazy_gettext("Code"), validators=[Optional(), Length(min=4, max=40)], description=lazy_gettext("Empty: random codes."))
    count = IntegerField(lazy_gettext("How many codes"), default=1, validators=[DataRequired(), NumberRange(min=1, max=1000)])
    prefix = StringField(lazy_gettext("Prefix of random codes"), validators=[Optional(), Length(max=12)])
    kind = SelectField(lazy_gettext("Kind"), choices=[SelectChoice(k.value, k.label) for k in VoucherKind])
    percent = IntegerField(lazy_gettext("Percentage off"), validators=[Optional(), NumberRange(min=1, max=100)])
    amount = MoneyField(lazy_gettext("Amount off each ticket"), validators=[Optional()])
    ticket_type = SelectField(lazy_gettext("For ticket type"), coerce=int, default=0)
    max_uses = IntegerField(lazy_gettext("Uses per code"), default=1, validators=[DataRequired(), NumberRange(min=1, max=10000)])
    valid_from = DateTimeLocalField(lazy_gettext("Valid from"), format=LOCAL_FORMAT, validators=[Optional()])
    valid_until = DateTimeLocalField(lazy_gettext("Valid until"), format=LOCAL_FORMAT, validators=[Optional()])
    comment = StringField(lazy_gettext("Comment"), validators=[Optional(), Length(max=255)], description=lazy_gettext("For whom, e.g. 'Press'"))
    submit = SubmitField(lazy_gettext("Create vouchers"))


class RegistrationSettingsForm(FlaskForm):
    reservation_minutes = IntegerField(
        lazy_gettext("Reservation (minutes) for card payments"), validators=[DataRequired(), NumberRange(min=30, max=1440)],
        description=lazy_gettext("At least 30: a card payment session lives that long.")
    )
    bank_transfer_days = IntegerField(
        lazy_gettext("Days to pay by bank transfer"), validators=[DataRequired(), NumberRange(min=1, max=60)]
    )
    offer_hours = IntegerField(lazy_gettext("Hours to take a waiting-list offer"), validators=[DataRequired(), NumberRange(min=1, max=336)])
    name_changes_until = DateTimeLocalField(lazy_gettext("Attendee names can change until"), format=LOCAL_FORMAT, validators=[Optional()])
    self_cancel_until = DateTimeLocalField(
        lazy_gettext("Attendees can cancel until"), format=LOCAL_FORMAT, validators=[Optional()], description=lazy_gettext("Empty: no self-cancellation.")
    )
    cancellation_fee = MoneyField(lazy_gettext("Cancellation fee"), default="0.00", validators=[Optional()])
    # The privacy notice and its version are edited on the privacy page (convention/privacy),
    # where each change is a new version that consents name.
    seller_name = StringField(lazy_gettext("Seller (on receipts)"), validators=[Optional(), Length(max=160)])
    seller_address = StringField(lazy_gettext("Seller address"), validators=[Optional(), Length(max=255)])
    seller_vat_number = StringField(lazy_gettext("Seller VAT number"), validators=[Optional(), Length(max=40)])
    bank_account_holder = StringField(lazy_gettext("Bank account holder"), validators=[Optional(), Length(max=160)])
    bank_iban = StringField(lazy_gettext("IBAN"), validators=[Optional(), Length(max=40)])
    bank_bic = StringField(lazy_gettext("BIC"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(lazy_gettext("Save settings"))


class MarkPaidForm(FlaskForm):
    reference = StringField(lazy_gettext("Bank reference (optional)"), validators=[Optional(), Length(max=255)])
    submit = SubmitField(lazy_gettext("Mark as paid"))


ORDER_STATE_CHOICES = [("", lazy_gettext("Any state"))] + [(s.value, s.label) for s in OrderState]
