"""The record of processing (GDPR art. 30) of an edition: what is stored, why, how long,
and how many rows of it the edition holds now."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from convention.editions.models import Edition
from convention.extensions import db
from convention.privacy.personal import PERSONAL, PROCESSING
from convention.privacy.retention import get_privacy_settings


@dataclass(frozen=True)
class RecordRow:
    what: str
    columns: list[str]
    why: str
    how_long: str
    rows: int | None  # in this edition (None: not kept per edition)


def _count(table_name: str, edition: Edition) -> int | None:
    table = db.metadata.tables[table_name]
    if "edition_id" not in table.c:
        return None
    return db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.edition_id == edition.id))


def record(edition: Edition) -> list[RecordRow]:
    rows = []
    for item in PROCESSING:
        counts = [_count(name, edition) for name in item.tables]
        known = [count for count in counts if count is not None]
        rows.append(
            RecordRow(
                what=str(item.what),
                columns=[f"{name}.{column}" for name in item.tables for column in PERSONAL.get(name, ())],
                why=str(item.why),
                how_long=str(item.how_long),
                rows=sum(known) if known else None,
            )
        )
    return rows


def retention_date(edition: Edition):
    return get_privacy_settings(edition).retention_until
