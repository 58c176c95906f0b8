"""Text search that stays fast: "contains" matches an index can serve.

On PostgreSQL the searched columns carry trigram GIN indexes (the ``pg_trgm`` extension,
declared with ``trigram_index``), which serve ``column ILIKE '%text%'`` however many rows
the table holds. Elsewhere (SQLite: tests, a laptop) the index is not created and the same
``ILIKE`` (``lower(column) LIKE lower(...)``) scans the table, which is fine at that size.

A search ORs several columns, some in another table: write it as the union of one
select per table (``Order.id.in_(union(...))``) so that each arm uses its own indexes;
an OR with a sub-select in it makes PostgreSQL scan the whole table.
"""

from __future__ import annotations

import sqlalchemy as sa

# Created (if missing) before the tables by ``metadata.create_all`` on PostgreSQL (see
# extensions.py) and by migration 0007; pg_trgm is a trusted extension since PostgreSQL 13,
# so the database's owner may create it.
TRIGRAM_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"

MIN_INDEXED = 3  # trigrams: a shorter text cannot use the index (still correct, just a scan)


def trigram_index(table: str, column: str) -> sa.Index:
    """A GIN trigram index on ``table.column``, made only on PostgreSQL."""
    return sa.Index(
        f"ix_{table}_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


def contains_pattern(text: str) -> str:
    """``%text%`` for ILIKE, with LIKE's own characters escaped (with ``\\``): a visitor's
    ``50%`` or ``a_b`` matches itself, not anything."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column, pattern: str):
    """``column ILIKE pattern`` (case-insensitive on every backend; a trigram index serves it)."""
    return column.ilike(pattern, escape="\\")


def made_on(dialect_name: str):
    """An Alembic ``include_object`` for a database of ``dialect_name``: leaves out of the
    comparison the schema items declared for another dialect only (``Index(...).ddl_if``),
    which ``create_all`` and the migrations do not make there."""

    def include_object(item, _name, type_, _reflected, _compare_to) -> bool:
        if type_ != "index":
            return True
        condition = getattr(item, "_ddl_if", None)  # set by SchemaItem.ddl_if(); no public reader
        if condition is None or condition.dialect is None:
            return True
        wanted = condition.dialect
        return dialect_name == wanted if isinstance(wanted, str) else dialect_name in wanted

    return include_object
