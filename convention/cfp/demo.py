"""Demo data for the call for papers: speakers with profiles, custom questions, and 66
proposals across every theme and every state, some with co-speakers.

Called by ``convention.demo.seed_demo`` (DOMAIN_SEEDERS). Every proposal goes through the
real services, so the audit log and the outbox look as they would after a real call.
The extra demo speakers share one password, DEMO_SPEAKER_PASSWORD (hashed once, to keep
the seeding fast); Sofia Speaker from the printed logins owns three proposals.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import time, timedelta

import sqlalchemy as sa

from convention.accounts.models import User
from convention.accounts.passwords import hash_password
from convention.audit.context import held_entries
from convention.cfp import manage_services, services, speaker_services, submission
from convention.cfp.demo_data import PROPOSALS, QUESTIONS, SPEAKERS, THEME_LEARNINGS
from convention.cfp.models import Proposal, ProposalSpeaker
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.extensions import db

DEMO_SPEAKER_PASSWORD = "demo-pass-speakers-2026"  # noqa: S105 - public demo password
S = ProposalState
# The fate of each proposal, in order (66 in all); the rest stay submitted.
STATE_PLAN = (
    [S.CONFIRMED] * 12 + [S.ACCEPTED] * 6 + [S.REJECTED] * 8 + [S.DECLINED] * 2 + [S.WITHDRAWN] * 4
    + [S.CANCELLED] * 1 + [S.DRAFT] * 6
)
# (theme position, index) -> state for Sofia Speaker's three proposals.
SOFIA = {(5, 0): S.CONFIRMED, (4, 2): S.SUBMITTED, (1, 6): S.DRAFT}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _speaker_users() -> list[User]:
    password_hash = hash_password(DEMO_SPEAKER_PASSWORD)
    users = []
    for name, *_rest in SPEAKERS:
        email = _ascii(name).lower().replace(" ", ".") + "@speakers.example"
        user = User(name=name, email=email, password_hash=password_hash, email_confirmed_at=utcnow())
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _biography(name: str, job: str, org: str, city: str, rng: random.Random) -> str:
    first = name.split()[0]
    years = rng.choice([4, 6, 8, 10, 12, 15, 20])
    extra = rng.choice([
        f"{first} teaches a course on incident handling at a university of applied sciences.",
        f"{first} volunteers with a local CoderDojo and organises a monthly security meetup in {city}.",
        f"Before that, {first} spent several years as a system administrator in the public sector.",
        f"{first} has spoken at BruCON, FOSDEM and several national CERT conferences.",
        f"Outside work, {first} restores old bicycles and writes about security for small businesses.",
    ])
    return f"**{job}** at {org} in {city}, with {years} years in security.\n\n{extra}"


INTROS = [
    "This session grew out of two years of getting it wrong first, and of the fixes that finally held.",
    "Everything in this session comes from production: numbers, screenshots and the post-mortems behind them.",
    "I will keep the theory short and spend most of the time on what you can do on Monday morning.",
    "The material was tested with three teams of very different sizes; the session shows what changed for each.",
]


def _description(theme_pos: int, rng: random.Random) -> str:
    points = THEME_LEARNINGS[theme_pos]
    return (
        rng.choice(INTROS)
        + "\n\n### What you will take home\n\n"
        + "\n".join(f"- {point}" for point in points)
        + "\n\n"
        + rng.choice([
            "The examples are based on real cases; all identifying details have been removed.",
            "Slides, scripts and checklists will be published after the convention.",
            "No vendor pitch: every tool shown is open source or already part of common licences.",
        ])
    )


def seed(edition, people) -> None:
    rng = random.Random(2026)
    organizer = people["organizer"]
    questions = [
        manage_services.save_question(
            edition,
            manage_services.QuestionData(label=label, kind=kind, help_text=help_text, choices=choices,
                                         required=required, position=position),
            actor=organizer,
        )
        for position, (label, kind, help_text, choices, required) in enumerate(QUESTIONS)
    ]
    first_talk, sector, given_before, stage_needs = questions
    sofia = people["speaker"]
    speakers = _speaker_users()
    details = {user.id: spec for user, spec in zip(speakers, SPEAKERS, strict=True)}
    details[sofia.id] = ("Sofia Speaker", "Security engineer", "Kanaal Cloud", "Ghent")
    for user in [sofia, *speakers]:
        name, job, org, city = details[user.id]
        speaker_services.update_speaker_profile(
            edition,
            speaker_services.ProfileData(
                display_name=name, job_title=job, organisation=org, biography=_biography(name, job, org, city, rng),
                links=f"https://{_ascii(name).lower().replace(' ', '')}.example/" if rng.random() < 0.6 else "",
            ),
            actor=user,
        )

    themes = {theme.position: theme for theme in edition.themes}
    formats = {fmt.name: fmt for fmt in edition.formats}
    plan = iter(STATE_PLAN)
    opened = edition.cfp_opens_at or (utcnow() - timedelta(days=14))
    span = max((utcnow() - opened).total_seconds() - 3600, 3600)
    made = 0
    for theme_pos in sorted(PROPOSALS):
        for index, (title, format_name, level, language, abstract) in enumerate(PROPOSALS[theme_pos]):
            if (theme_pos, index) in SOFIA:
                submitter, target = sofia, SOFIA[(theme_pos, index)]
            else:
                submitter, target = speakers[made % len(speakers)], next(plan, S.SUBMITTED)
            made += 1
            answers = {
                first_talk.id: rng.choice(["yes", "no", "no"]),
                sector.id: rng.choice(sector.choice_list) if rng.random() < 0.8 else "",
                given_before.id: rng.choice(["", "", "A shorter version at a local OWASP chapter meeting.",
                                             "At a BSides, 2025 (recording on request)."]),
                stage_needs.id: "Two screens and a wired network for the live demo." if format_name == "Workshop" else "",
            }
            with held_entries() as history:
                proposal, _created = services.create_proposal(
                    edition,
                    services.ProposalData(
                        title=title, theme_id=themes[theme_pos].id, format_id=formats[format_name].id, level=level,
                        language=language, abstract=abstract, description=_description(theme_pos, rng),
                        notes=rng.choice(["", "", "I can also give this as a 30-minute talk if the workshop slots are full.",
                                          "My employer covers travel; no need for a travel grant."]),
                        may_record=rng.random() < 0.85, answers=answers,
                    ),
                    actor=submitter,
                    submit=target is not S.DRAFT,
                )
                if rng.random() < 0.3 or (theme_pos, index) == (5, 0):
                    co = speakers[(made * 7 + 3) % len(speakers)]
                    if co.id != submitter.id:
                        profile = speaker_services.get_or_create_profile(edition, co)
                        proposal.speakers.append(ProposalSpeaker(profile=profile))
                        db.session.flush()
                _move(proposal, target, organizer)
            created = opened + timedelta(seconds=rng.uniform(0, span * 0.8))
            proposal.created_at = created
            if proposal.submitted_at:
                proposal.submitted_at = created + timedelta(minutes=rng.randint(5, 600))
            proposal.updated_at = max(proposal.submitted_at or created, created) + timedelta(minutes=rng.randint(0, 300))
            proposal.state_changed_at = proposal.updated_at
            # The history of the proposal happened when its dates say, not at seeding time
            # (set before the entries are written: the audit log is append-only).
            for entry in history:
                if (entry.object_type, entry.object_id) == ("Proposal", str(proposal.id)):
                    entry.created_at = created if entry.action == "proposal.create" else proposal.updated_at
            db.session.add_all(history)
    db.session.flush()
    _availability(edition, rng)


def _move(proposal, target: ProposalState, organizer) -> None:
    speaker = proposal.speaker_users[0]
    steps = {
        S.DRAFT: [],
        S.SUBMITTED: [],
        S.ACCEPTED: [(S.ACCEPTED, organizer)],
        S.REJECTED: [(S.REJECTED, organizer)],
        S.CONFIRMED: [(S.ACCEPTED, organizer), (S.CONFIRMED, speaker)],
        S.DECLINED: [(S.ACCEPTED, organizer), (S.DECLINED, speaker)],
        S.WITHDRAWN: [(S.WITHDRAWN, speaker)],
        S.CANCELLED: [(S.ACCEPTED, organizer), (S.CONFIRMED, speaker), (S.CANCELLED, organizer)],
    }[target]
    for state, actor in steps:
        submission.set_proposal_state(proposal, state, actor=actor)


def _availability(edition, rng: random.Random) -> None:
    """Most confirmed speakers have said when they can come."""
    confirmed = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.edition_id == edition.id, Proposal.state == S.CONFIRMED)
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    ).all()
    seen = set()
    for proposal in confirmed:
        for user in proposal.speaker_users:
            if user.id in seen or rng.random() < 0.25:
                continue
            seen.add(user.id)
            days = speaker_services.convention_days(edition)
            ranges = [(day, time(9, 0), time(18, 0)) for day in days]
            if rng.random() < 0.4:
                ranges = [(days[0], time(13, 0), time(18, 0))] + ranges[1:]
            speaker_services.set_availability(edition, ranges, actor=user)
