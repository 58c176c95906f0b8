"""Availability of accepted speakers: local time ranges per convention day, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from convention.cfp.speaker_services import convention_days, get_profile, set_availability
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError, Forbidden
from convention.extensions import db as _db
from tests.cfp.helpers import make_proposal
from tests.conftest import post_form
from tests.factories import make_edition


@pytest.fixture
def summer_edition(organizer):
    return make_edition(organizer=organizer, slug="summer", starts_on=date(2027, 7, 6), ends_on=date(2027, 7, 7))


def test_local_ranges_are_stored_in_utc_and_touching_ones_joined(db, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer)
    day1, day2 = convention_days(summer_edition)
    profile = set_availability(
        summer_edition,
        [(day1, time(9, 0), time(12, 0)), (day1, time(12, 0), time(17, 30)), (day2, time(14, 0), time(18, 0))],
        actor=speaker,
    )
    assert [(a.starts_at, a.ends_at) for a in profile.availabilities] == [
        (datetime(2027, 7, 6, 7, 0, tzinfo=UTC), datetime(2027, 7, 6, 15, 30, tzinfo=UTC)),  # CEST is UTC+2
        (datetime(2027, 7, 7, 12, 0, tzinfo=UTC), datetime(2027, 7, 7, 16, 0, tzinfo=UTC)),
    ]


def test_winter_time_converts_with_one_hour(db, organizer, speaker):
    winter = make_edition(organizer=organizer, slug="winter", starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12))
    make_proposal(winter, speaker, state=ProposalState.CONFIRMED, organizer=organizer)
    profile = set_availability(winter, [(date(2027, 1, 12), time(10, 0), time(11, 0))], actor=speaker)
    assert profile.availabilities[0].starts_at == datetime(2027, 1, 12, 9, 0, tzinfo=UTC)


def test_ranges_outside_the_convention_or_backwards_are_refused(db, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer)
    with pytest.raises(DomainError) as caught:
        set_availability(summer_edition, [(date(2027, 7, 8), time(9, 0), time(10, 0))], actor=speaker)
    assert caught.value.message == "08 Jul 2027 is not a day of the convention."
    with pytest.raises(DomainError) as caught:
        set_availability(summer_edition, [(date(2027, 7, 6), time(12, 0), time(10, 0))], actor=speaker)
    assert caught.value.message == "On Tuesday, the end of a time range must come after its start."


def test_only_speakers_of_accepted_talks_give_availability(db, summer_edition, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.SUBMITTED)
    with pytest.raises(Forbidden):
        set_availability(summer_edition, [], actor=speaker)


def test_availability_form_saves_and_shows_local_times(client, auth, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer)
    auth.login(speaker.email)
    response = post_form(client, "/summer/cfp/availability", {"d0_0_start": "09:30", "d0_0_end": "12:00", "d1_1_start": "13:00", "d1_1_end": "17:00"})
    assert response.status_code == 302
    html = client.get("/summer/cfp/availability").get_data(as_text=True)
    assert 'name="d0_0_start" type="time" value="09:30"' in html
    assert 'name="d1_0_start" type="time" value="13:00"' in html  # sorted into the first row of the day


def test_availability_form_wants_both_ends(client, auth, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer)
    auth.login(speaker.email)
    response = post_form(client, "/summer/cfp/availability", {"d0_0_start": "09:30"})
    assert response.status_code == 422
    assert "Give both the start and the end." in response.get_data(as_text=True)
    _db.session.expire_all()


def test_overlapping_ranges_are_refused_with_a_message(db, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer)
    day1, day2 = convention_days(summer_edition)
    set_availability(summer_edition, [(day2, time(9, 0), time(10, 0))], actor=speaker)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        set_availability(summer_edition, [(day1, time(11, 0), time(17, 30)), (day1, time(9, 0), time(12, 0))],
                         actor=speaker)
    assert caught.value.message == (
        "On Tuesday 06 July, 09:00–12:00 and 11:00–17:30 overlap: give them as one range, "
        "or correct one of them. Nothing was saved.")
    db.session.rollback()
    profile = get_profile(summer_edition, speaker)
    assert [(a.starts_at, a.ends_at) for a in profile.availabilities] == [
        (datetime(2027, 7, 7, 7, 0, tzinfo=UTC), datetime(2027, 7, 7, 8, 0, tzinfo=UTC))]


def test_overlapping_ranges_on_the_form_show_the_message(client, auth, db, summer_edition, organizer, speaker):
    make_proposal(summer_edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer)
    auth.login(speaker.email)
    url = f"/{summer_edition.slug}/cfp/availability"
    response = post_form(client, url, {"d0_0_start": "09:00", "d0_0_end": "12:00",
                                       "d0_1_start": "10:00", "d0_1_end": "11:00"})
    assert response.status_code == 422
    assert "09:00–12:00 and 10:00–11:00 overlap" in response.get_data(as_text=True)
    assert get_profile(summer_edition, speaker).availabilities == []
