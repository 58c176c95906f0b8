"""Audit: before/after values, the request id, client addresses beside the log, and on
PostgreSQL a trigger that refuses any UPDATE or DELETE of an audit entry. Privacy:
versioned privacy notices, consents against a version, retention dates.

Revision ID: 0019_audit_privacy
Revises: 0015_review_totals
Create Date: 2026-11-30 22:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0019_audit_privacy'
down_revision = '0015_review_totals'
branch_labels = None
depends_on = None

# Copied from convention/audit/models.py as they are at this revision.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
"""


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('before', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('after', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
    op.create_table('audit_client_addresses',
    sa.Column('entry_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_audit_client_addresses'))
    )
    with op.batch_alter_table('audit_client_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_client_addresses_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_client_addresses_edition_id'), ['edition_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)
    op.create_table('privacy_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_privacy_notices_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_privacy_notices_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notices')),
    sa.UniqueConstraint('edition_id', 'label', name=op.f('uq_privacy_notices_edition_id_label')),
    sa.UniqueConstraint('edition_id', 'version', name=op.f('uq_privacy_notices_edition_id_version'))
    )
    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_notices_edition_id'), ['edition_id'], unique=False)
    op.create_table('privacy_settings',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('retention_until', sa.Date(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_privacy_settings_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', name=op.f('pk_privacy_settings'))
    )


def downgrade():
    op.drop_table('privacy_settings')
    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_notices_edition_id'))
    op.drop_table('privacy_notices')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    with op.batch_alter_table('audit_client_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_client_addresses_edition_id'))
        batch_op.drop_index(batch_op.f('ix_audit_client_addresses_actor_id'))
    op.drop_table('audit_client_addresses')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_request_id'))
        batch_op.drop_column('request_id')
        batch_op.drop_column('after')
        batch_op.drop_column('before')
