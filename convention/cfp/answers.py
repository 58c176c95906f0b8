"""The organizers' custom questions as a speaker meets them: which questions an edition
asks, checking and saving a proposal's answers, and which required ones are missing."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from convention.cfp.models import ANSWER_MAX, Answer, Proposal, Question, QuestionKind
from convention.core.errors import DomainError
from convention.core.text import check_text
from convention.editions.models import Edition
from convention.extensions import db

YES_NO = ("yes", "no")


def questions_of(edition: Edition) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question).where(Question.edition_id == edition.id).order_by(Question.position, Question.id)
        )
    )


def answers_by_question(proposal: Proposal) -> dict[int, str]:
    return {answer.question_id: answer.value for answer in proposal.answers}


def questions_with_answers(proposal: Proposal) -> list[tuple[Question, str]]:
    """Every question of the edition with this proposal's answer ("" when unanswered), for display."""
    answers = answers_by_question(proposal)
    return [(q, answers.get(q.id, "")) for q in questions_of(proposal.edition)]


def _clean_answer(question: Question, raw) -> str:
    value = str(raw or "").strip()
    if not value:
        return ""
    if question.kind is QuestionKind.BOOLEAN and value not in YES_NO:
        raise DomainError(gettext("Answer yes or no."), field=f"q_{question.id}")
    if question.kind is QuestionKind.CHOICE and value not in question.choice_list:
        raise DomainError(gettext("Choose one of the listed answers."), field=f"q_{question.id}")
    if len(value) > ANSWER_MAX:
        raise DomainError(gettext("Answers are limited to %(max)d characters.", max=ANSWER_MAX), field=f"q_{question.id}")
    check_text(value, field=f"q_{question.id}")
    return value


def save_answers(proposal: Proposal, answers: dict[int, str]) -> None:
    existing = {answer.question_id: answer for answer in proposal.answers}
    for question in questions_of(proposal.edition):
        if question.id not in answers:
            continue
        value = _clean_answer(question, answers[question.id])
        answer = existing.get(question.id)
        if value and answer is None:
            proposal.answers.append(Answer(question_id=question.id, value=value))
        elif value:
            answer.value = value
        elif answer is not None:
            proposal.answers.remove(answer)


def missing_required_answers(proposal: Proposal) -> list[Question]:
    answered = {answer.question_id for answer in proposal.answers if answer.value.strip()}
    return [q for q in questions_of(proposal.edition) if q.required and q.id not in answered]
