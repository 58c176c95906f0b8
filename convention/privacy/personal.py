"""Which columns hold personal data: declared once, for every text column of every table.

``tests/privacy/test_personal_columns.py`` fails when a text (or JSON) column is in
neither map, so a new column cannot be forgotten: decide, declare it here, and if it is
personal, make ``erasure.delete_account`` and ``export.export_person`` handle it.
The record-of-processing page (``processing.py``) is built from ``PROCESSING``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# table -> columns that hold personal data (a name, an address, a person's own words).
PERSONAL: dict[str, tuple[str, ...]] = {
    "users": ("email", "name", "password_hash", "session_token", "language"),
    "audit_client_addresses": ("address",),
    "outbox_messages": ("recipient", "subject", "body_text"),
    "cfp_speaker_profiles": ("display_name", "biography", "organisation", "job_title", "links", "photo_name"),
    "cfp_proposals": ("title", "abstract", "description", "notes"),
    "cfp_answers": ("value",),
    "cfp_attachments": ("filename",),
    "cfp_invitations": ("email",),
    "cfp_late_grants": ("email",),
    "reviews": ("comment", "feedback"),
    "orders": ("email", "buyer_name"),
    "attendees": ("name", "email", "organisation"),
    "waiting_list_entries": ("name", "email"),
    # The published programme as it was published: the names speakers chose to publish.
    "schedule_versions": ("snapshot", "changelog"),
}

# table -> text columns that hold no personal data (codes, states, settings, ids, hashes).
NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    # The log names people by id only (see audit/models.py); addresses live beside it.
    "audit_entries": ("action", "object_type", "object_id", "data", "before", "after", "request_id"),
    "editions": ("slug", "name", "tagline", "description", "timezone", "venue_name", "venue_address"),
    "outbox_messages": ("template", "sender", "status", "last_error"),
    "cfp_late_grants": ("token_hash",),
    "cfp_questions": ("label", "help_text", "kind", "choices"),
    "cfp_speaker_profiles": ("code",),
    "cfp_proposals": ("code", "level", "language", "state", "idempotency_key", "external_guid"),
    "cfp_attachments": ("code", "stored_name"),
    "cfp_invitations": ("token_hash",),
    "checkin_lists": ("name", "days"),
    "checkins": ("kind", "status", "reason", "gate", "device", "nonce"),
    "edition_roles": ("role",),
    "quotas": ("name",),
    # The seller's (an organisation's) invoicing and bank details, and the notice text.
    "registration_settings": (
        "currency",
        "privacy_version",
        "privacy_notice",
        "seller_name",
        "seller_address",
        "seller_vat_number",
        "bank_account_holder",
        "bank_iban",
        "bank_bic",
    ),
    "review_criteria": ("name", "description"),
    "review_notification_templates": ("outcome", "subject", "body"),
    "review_teams": ("name",),
    "review_assignments": ("source",),
    "review_bids": ("level",),
    "review_conflicts": ("source",),
    "review_decisions": ("outcome",),
    "rooms": ("name", "description"),
    "session_formats": ("name", "description"),
    "themes": ("name", "description"),
    "schedule_versions": ("name",),
    "schedule_blocks": ("kind", "title"),
    "ticket_types": ("category", "name", "description", "currency"),
    "vouchers": ("code", "kind", "comment"),
    "orders": (
        "code",
        "secret",
        "state",
        "currency",
        "payment_method",
        "payment_reference",
        "refund_reference",
        "consent_version",
        "complimentary_sources",
        "idempotency_key",
    ),
    "attendees": ("code",),
    "waiting_list_entries": ("secret", "state", "consent_version"),
    "payment_issues": ("kind", "state", "currency", "reference", "detail", "note"),
    "stripe_checkouts": ("session_id", "url", "status", "currency", "payment_intent"),
    "stripe_events": ("stripe_id", "type", "object_id", "outcome", "detail"),
    "privacy_notices": ("label", "text"),
}


@dataclass(frozen=True)
class Processing:
    """One line of the record of processing (GDPR art. 30)."""

    what: str
    tables: tuple[str, ...]
    why: str
    how_long: str


PROCESSING: tuple[Processing, ...] = (
    Processing(
        _l("Accounts: name, email address, password hash, language"),
        ("users",),
        _l("To sign people in and write to them (contract)."),
        _l("Until the person deletes the account; then only an empty record with its number is kept."),
    ),
    Processing(
        _l("Speaker profiles, proposals, answers, attachments, availability"),
        (
            "cfp_speaker_profiles",
            "cfp_proposals",
            "cfp_answers",
            "cfp_attachments",
            "cfp_invitations",
            "cfp_late_grants",
        ),
        _l("To run the call for papers and publish the programme (contract, consent to publish)."),
        _l(
            "Until the speaker deletes the account; talks of a published programme are kept with the name "
            "the speaker chose to publish."
        ),
    ),
    Processing(
        _l("Reviews and committee work"),
        ("reviews",),
        _l("To select the programme (legitimate interest)."),
        _l("Until the reviewer deletes the account."),
    ),
    Processing(
        _l("Orders and attendees: names, email addresses, organisations"),
        ("orders", "attendees", "waiting_list_entries"),
        _l("To sell tickets, print badges and check people in (contract); invoices (legal obligation)."),
        _l("Until the edition's retention date, then anonymised; orders stay, without names, for the accounts."),
    ),
    Processing(
        _l("Email sent"),
        ("outbox_messages",),
        _l("To deliver and, when it fails, retry the messages the system sends (contract)."),
        _l("Until the recipient deletes the account."),
    ),
    Processing(
        _l("Client addresses of changes"),
        ("audit_client_addresses",),
        _l("To investigate abuse and mistakes (legitimate interest)."),
        _l("Until the person deletes the account or the edition's retention date."),
    ),
    Processing(
        _l("The published programme"),
        ("schedule_versions",),
        _l("A record of what was published (legitimate interest)."),
        _l("Kept as published."),
    ),
)
