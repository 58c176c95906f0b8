"""Trigram indexes for the organizers' searches (PostgreSQL only).

The order search (buyer email and name, attendee name, organisation and email) and the
proposal table's search (title, code, speaker name) match ``ILIKE '%text%'``: with
pg_trgm's GIN indexes PostgreSQL answers from the index instead of reading every row.
On SQLite nothing is made (the models declare these indexes with ``ddl_if`` PostgreSQL).

Revision ID: 0011_trigram_search
Revises: 0010_user_language
Create Date: 2026-11-30 19:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_trigram_search'
down_revision = '0010_user_language'
branch_labels = None
depends_on = None

INDEXES = (
    ('orders', 'email'),
    ('orders', 'buyer_name'),
    ('attendees', 'name'),
    ('attendees', 'organisation'),
    ('attendees', 'email'),
    ('cfp_proposals', 'title'),
    ('cfp_proposals', 'code'),
    ('cfp_speaker_profiles', 'display_name'),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _postgresql():
        return
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in INDEXES:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], postgresql_using='gin',
                        postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    if not _postgresql():
        return
    for table, column in reversed(INDEXES):
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    # The extension stays: other databases' objects, or later ones, may use it.
