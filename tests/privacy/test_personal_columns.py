"""Every text column of every table is declared personal or not personal, once."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.privacy.personal import NOT_PERSONAL, PERSONAL, PROCESSING


def _text_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
    }


def _declared(mapping) -> set[tuple[str, str]]:
    return {(table, column) for table, columns in mapping.items() for column in columns}


def test_every_text_column_is_declared_personal_or_not(app):
    undeclared = _text_columns() - _declared(PERSONAL) - _declared(NOT_PERSONAL)
    assert undeclared == set(), "declare these in convention/privacy/personal.py"


def test_no_column_is_declared_twice_or_does_not_exist(app):
    assert _declared(PERSONAL) & _declared(NOT_PERSONAL) == set()
    assert (_declared(PERSONAL) | _declared(NOT_PERSONAL)) - _text_columns() == set()


def test_the_record_of_processing_covers_every_personal_table(app):
    assert {table for item in PROCESSING for table in item.tables} == set(PERSONAL)
