"""Contains-search helpers: LIKE's characters escaped, indexes made for one database only."""

from __future__ import annotations

import sqlalchemy as sa

from convention.core.search import contains_pattern, made_on, trigram_index


def test_contains_pattern_escapes_like_wildcards():
    assert contains_pattern("  okafor ") == "%okafor%"
    assert contains_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_an_index_made_for_postgresql_only_is_left_out_of_other_comparisons():
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(40)))
    plain = sa.Index("ix_t_name", table.c.name)
    trigram = trigram_index("t", "name")
    table.append_constraint(trigram)
    assert trigram.name == "ix_t_name_trgm"
    assert made_on("postgresql")(trigram, trigram.name, "index", False, None) is True
    assert made_on("sqlite")(trigram, trigram.name, "index", False, None) is False
    assert made_on("sqlite")(plain, plain.name, "index", False, None) is True
    assert made_on("sqlite")(table, "t", "table", False, None) is True


def test_create_all_makes_the_trigram_indexes_only_on_postgresql(app):
    from convention.extensions import db

    names = {index["name"] for index in sa.inspect(db.engine).get_indexes("attendees")}
    assert ("ix_attendees_name_trgm" in names) is (db.engine.dialect.name == "postgresql")
