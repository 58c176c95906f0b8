"""Theme quotas: set, changed, removed; other editions' themes and absurd numbers refused."""

from __future__ import annotations

import pytest

from convention.core.errors import DomainError, Forbidden
from convention.review import quotas
from tests.factories import make_edition
from tests.review.decisions.helpers import make_reviewer


def test_quotas_are_set_changed_and_removed(db, edition, organizer):
    first, second = edition.themes[0].id, edition.themes[1].id
    assert quotas.save_quotas(edition, {first: 3, second: 0}, actor=organizer) == {first: 3, second: 0}
    assert quotas.save_quotas(edition, {first: 5, second: None}, actor=organizer) == {first: 5}
    assert quotas.get_quotas(edition) == {first: 5}


def test_bad_quotas_are_refused(db, edition, organizer):
    other = make_edition(organizer=organizer)
    with pytest.raises(DomainError, match="not one of the edition"):
        quotas.save_quotas(edition, {other.themes[0].id: 1}, actor=organizer)
    with pytest.raises(DomainError, match="from 0 to") as refusal:
        quotas.save_quotas(edition, {edition.themes[0].id: -2}, actor=organizer)
    assert refusal.value.field == f"t_{edition.themes[0].id}"
    with pytest.raises(Forbidden):
        quotas.save_quotas(edition, {edition.themes[0].id: 1}, actor=make_reviewer(edition, "Rita Reviewer"))
    assert quotas.get_quotas(edition) == {}
