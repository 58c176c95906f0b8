"""One rule for human-entered text (core/text.py), applied by every form and service."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from convention.core.errors import DomainError
from convention.core.text import DIRECTION_CONTROLS, NOTHING_VISIBLE, UNSHOWABLE, check_text, text_problem

ZERO_WIDTH_ONLY = "\u200b\u200c\u200d\u2060\ufeff"
RLO = "Eve\u202elive.exe"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Hardening DNS resolvers", None),
        ("", None),  # required or not is the field's business
        ("Zoë Łukasiewicz-Ωmega 李", None),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0645", None),  # Persian with a zero-width non-joiner
        ("line one\nline two\ttabbed\r\n", None),
        ("\u200fRight-to-left mark inside text", None),  # a mark, not an override
        (ZERO_WIDTH_ONLY, NOTHING_VISIBLE),
        ("\u200b \u00a0\u3000", NOTHING_VISIBLE),
        ("\u3164\u3164", NOTHING_VISIBLE),  # Hangul fillers
        ("\u2800", NOTHING_VISIBLE),  # braille blank
        ("\u00ad\u034f", NOTHING_VISIBLE),  # soft hyphen, combining grapheme joiner
        (RLO, DIRECTION_CONTROLS),
        *[(f"a{chr(c)}b", DIRECTION_CONTROLS) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E)],
        *[(f"a{chr(c)}b", DIRECTION_CONTROLS) for c in (0x2066, 0x2067, 0x2068, 0x2069)],
        ("NUL\x00inside", UNSHOWABLE),
        ("bell\x07", UNSHOWABLE),
        ("private \ue000 use", UNSHOWABLE),
    ],
)
def test_text_problem(value, problem):
    assert text_problem(value) == problem


def test_check_text_raises_on_the_field_with_the_chosen_wording():
    assert check_text("Fine", field="title") == "Fine"
    with pytest.raises(DomainError) as caught:
        check_text(ZERO_WIDTH_ONLY, field="title", empty="Please give your proposal a title.")
    assert (caught.value.field, caught.value.message) == ("title", "Please give your proposal a title.")
    with pytest.raises(DomainError) as caught:
        check_text(RLO, field="title", empty="Please give your proposal a title.")
    assert (caught.value.field, caught.value.message) == ("title", DIRECTION_CONTROLS)


def _forms():
    """(form class, its other required input, the human text fields it must check)."""
    from convention.accounts.forms import ProfileForm as AccountProfileForm
    from convention.accounts.forms import SignupForm
    from convention.cfp.forms import ProfileForm, QuestionForm, proposal_form_class
    from convention.editions.forms import EditionForm, FormatForm, RoomForm, ThemeForm
    from convention.registration.forms import (
        AttendeeNamesForm,
        CheckoutForm,
        QuotaForm,
        TicketTypeForm,
        WaitingListForm,
    )

    return [
        (SignupForm, {}, ["name"]),
        (AccountProfileForm, {}, ["name"]),
        (EditionForm, {}, ["name", "tagline", "description", "venue_name", "venue_address"]),
        (ThemeForm, {}, ["name", "description"]),
        (FormatForm, {}, ["name", "description"]),
        (RoomForm, {}, ["name"]),
        (proposal_form_class([]), {}, ["title", "abstract", "description", "notes"]),
        (ProfileForm, {}, ["display_name", "organisation", "job_title", "biography"]),
        (QuestionForm, {}, ["label", "help_text"]),
        (CheckoutForm, {}, ["buyer_name", "attendees-0-name", "attendees-0-organisation"]),
        (AttendeeNamesForm, {}, ["attendees-0-name", "attendees-0-organisation"]),
        (WaitingListForm, {}, ["name"]),
        (TicketTypeForm, {}, ["name"]),
        (QuotaForm, {}, ["name"]),
    ]


def _field_errors(form, name):
    if name.startswith("attendees-"):
        _prefix, index, sub = name.split("-")
        return form.attendees[int(index)][sub].errors
    return form[name].errors


@pytest.mark.parametrize("bad", [ZERO_WIDTH_ONLY, RLO], ids=["zero-width-only", "right-to-left-override"])
def test_every_human_text_field_of_every_form_refuses_invisible_or_bidi_text(app, bad):
    checked = 0
    for form_class, extra, fields in _forms():
        with app.test_request_context(method="POST"):
            form = form_class(formdata=MultiDict({**extra, **{name: bad for name in fields}}), meta={"csrf": False})
            if hasattr(form, "set_choices"):
                form.theme_id.choices = form.format_id.choices = []
            form.validate()
            for name in fields:
                errors = _field_errors(form, name)
                assert any(e in (NOTHING_VISIBLE, DIRECTION_CONTROLS, "Please enter your name.",
                                 "Your name contains characters that cannot be shown.") for e in errors), (
                    form_class.__name__, name, errors)
                checked += 1
    assert checked == 30


@pytest.mark.parametrize("bad", [ZERO_WIDTH_ONLY, RLO], ids=["zero-width-only", "right-to-left-override"])
def test_services_refuse_the_same_text_whatever_the_caller(db, bad):
    """The rule holds without a form too (CLI, other services): titles, names, items."""
    from convention.accounts.services import update_profile
    from convention.cfp import services as cfp
    from convention.cfp.speaker_services import ProfileData, update_speaker_profile
    from convention.editions import services as editions
    from tests.cfp.helpers import proposal_data
    from tests.factories import make_edition, make_user

    user = make_user()
    edition = make_edition(organizer=user)
    attempts = {
        "title": lambda: cfp.create_proposal(edition, proposal_data(edition, title=bad), actor=user),
        "abstract": lambda: cfp.create_proposal(edition, proposal_data(edition, abstract=bad), actor=user),
        "display_name": lambda: update_speaker_profile(edition, ProfileData(display_name=bad), actor=user),
        "organisation": lambda: update_speaker_profile(edition, ProfileData(display_name="Ann", organisation=bad),
                                                       actor=user),
        "name": lambda: editions.save_item(edition, editions.ITEM_KINDS["themes"], {"name": bad}, actor=user),
        "account name": lambda: update_profile(user, name=bad),
    }
    for label, attempt in attempts.items():
        with pytest.raises(DomainError) as caught:
            attempt()
        assert caught.value.field == label.split()[-1], label
        db.session.rollback()
