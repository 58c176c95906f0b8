"""Registration forms: they validate input only; prices and rules live in the services."""

from __future__ import annotations

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
                raise ValueError("Enter an amount such as 12.50.") from exc
            if self.cents < 0:
                raise ValueError("The amount cannot be negative.")

    def set_cents(self, cents: int | None) -> None:
        self.data = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


# -- buyers -----------------------------------------------------------------------------


class AttendeeForm(Form):
    """One seat's person (a sub-form: the page's CSRF token covers it)."""

    attendee_id = HiddenField()
    name = StringField("Full name", validators=[DataRequired(message="Enter the attendee's name."), Length(max=120), HumanText()])
    email = EmailField("Email", validators=[Optional(), Email(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=160), HumanText()])


class CheckoutForm(FlaskForm):
    selection = HiddenField(validators=[DataRequired()])
    voucher = HiddenField()
    total_cents = HiddenField(validators=[DataRequired()])
    privacy_version = HiddenField(validators=[DataRequired()])
    submission_key = HiddenField(validators=[Optional(), Length(max=64)])
    buyer_name = StringField("Your name", validators=[DataRequired(), Length(max=120), HumanText()])
    email = EmailField("Email for the confirmation", validators=[DataRequired(), Email(), Length(max=254)])
    attendees = FieldList(FormField(AttendeeForm), min_entries=0, max_entries=20)
    consent = BooleanField("I have read the privacy notice and agree to my data being used to run this convention.")
    submit = SubmitField("Place order")

    def validate_selection(self, field):
        try:
            parse_selection(field.data)
        except ValueError as exc:
            raise ValidationError("The ticket selection is not valid.") from exc

    def validate_total_cents(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("The total is not valid.")

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError("Please accept the privacy notice to register.")


class AttendeeNamesForm(FlaskForm):
    attendees = FieldList(FormField(AttendeeForm), min_entries=0, max_entries=20)
    submit = SubmitField("Save attendee details")


class WaitingListForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120), HumanText()])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    quantity = IntegerField("Tickets wanted", default=1, validators=[DataRequired(), NumberRange(min=1, max=10)])
    privacy_version = HiddenField(validators=[DataRequired()])
    consent = BooleanField("I agree to my name and email being kept for the waiting list.")
    submit = SubmitField("Join the waiting list")

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError("Please accept the privacy notice to join the list.")


# -- organizers -------------------------------------------------------------------------


class TicketTypeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), HumanText()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    price = MoneyField("Price, VAT included", default="0.00", validators=[DataRequired()])
    currency = StringField("Currency", default="EUR", validators=[DataRequired(), Length(min=3, max=3)])
    vat_rate = StringField("VAT rate (%)", default="21", validators=[DataRequired(), Length(max=6)])
    capacity = IntegerField(
        "Capacity", validators=[Optional(), NumberRange(min=0, max=1_000_000)], description="Empty: only the quotas limit it."
    )
    sale_starts_at = DateTimeLocalField("Sale opens", format=LOCAL_FORMAT, validators=[Optional()])
    sale_ends_at = DateTimeLocalField("Sale closes", format=LOCAL_FORMAT, validators=[Optional()])
    valid_on = DateField("Day ticket for", validators=[Optional()], description="Empty: valid every day.")
    max_per_order = IntegerField(
        "At most per order", default=10,
        validators=[InputRequired(message="Enter how many tickets one order may have."),
                    NumberRange(min=1, max=20, message="Allow 1 to 20 tickets per order.")],
    )
    requires_voucher = BooleanField("Needs a voucher")
    hidden = BooleanField("Hidden (shown only with a voucher for it)")
    position = IntegerField("Order in the shop", default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField("Save ticket type")

    def validate_vat_rate(self, field):
        try:
            self.vat_rate_bp = parse_money(field.data)
        except ValueError as exc:
            raise ValidationError("Enter a percentage such as 21 or 6.") from exc
        if not 0 <= self.vat_rate_bp <= 10000:
            raise ValidationError("Between 0 and 100 %.")


class QuotaForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), HumanText()])
    capacity = IntegerField("Capacity", validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    ticket_types = SelectMultipleField(
        "Ticket types it caps", coerce=int,
        validators=[DataRequired(message="Choose the ticket types this quota caps.")],
    )
    submit = SubmitField("Save quota")


class VoucherForm(FlaskForm):
    code = StringField("Code", validators=[Optional(), Length(min=4, max=40)], description="Empty: random codes.")
    count = IntegerField("How many codes", default=1, validators=[DataRequired(), NumberRange(min=1, max=1000)])
    prefix = StringField("Prefix of random codes", validators=[Optional(), Length(max=12)])
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in VoucherKind])
    percent = IntegerField("Percentage off", validators=[Optional(), NumberRange(min=1, max=100)])
    amount = MoneyField("Amount off each ticket", validators=[Optional()])
    ticket_type = SelectField("For ticket type", coerce=int, default=0)
    max_uses = IntegerField("Uses per code", default=1, validators=[DataRequired(), NumberRange(min=1, max=10000)])
    valid_from = DateTimeLocalField("Valid from", format=LOCAL_FORMAT, validators=[Optional()])
    valid_until = DateTimeLocalField("Valid until", format=LOCAL_FORMAT, validators=[Optional()])
    comment = StringField("Comment", validators=[Optional(), Length(max=255)], description="For whom, e.g. 'Press'")
    submit = SubmitField("Create vouchers")


class RegistrationSettingsForm(FlaskForm):
    reservation_minutes = IntegerField(
        "Reservation (minutes) for card payments", validators=[DataRequired(), NumberRange(min=30, max=1440)],
        description="At least 30: a card payment session lives that long."
    )
    bank_transfer_days = IntegerField(
        "Days to pay by bank transfer", validators=[DataRequired(), NumberRange(min=1, max=60)]
    )
    offer_hours = IntegerField("Hours to take a waiting-list offer", validators=[DataRequired(), NumberRange(min=1, max=336)])
    name_changes_until = DateTimeLocalField("Attendee names can change until", format=LOCAL_FORMAT, validators=[Optional()])
    self_cancel_until = DateTimeLocalField(
        "Attendees can cancel until", format=LOCAL_FORMAT, validators=[Optional()], description="Empty: no self-cancellation."
    )
    cancellation_fee = MoneyField("Cancellation fee", default="0.00", validators=[Optional()])
    privacy_version = StringField("Privacy notice version", validators=[DataRequired(), Length(max=40)])
    privacy_notice = TextAreaField("Privacy notice", validators=[Optional(), Length(max=20000)])
    seller_name = StringField("Seller (on receipts)", validators=[Optional(), Length(max=160)])
    seller_address = StringField("Seller address", validators=[Optional(), Length(max=255)])
    seller_vat_number = StringField("Seller VAT number", validators=[Optional(), Length(max=40)])
    bank_account_holder = StringField("Bank account holder", validators=[Optional(), Length(max=160)])
    bank_iban = StringField("IBAN", validators=[Optional(), Length(max=40)])
    bank_bic = StringField("BIC", validators=[Optional(), Length(max=20)])
    submit = SubmitField("Save settings")


class MarkPaidForm(FlaskForm):
    reference = StringField("Bank reference (optional)", validators=[Optional(), Length(max=255)])
    submit = SubmitField("Mark as paid")


ORDER_STATE_CHOICES = [("", "Any state")] + [(s.value, s.label) for s in OrderState]
