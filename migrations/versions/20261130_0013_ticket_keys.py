"""Signed tickets (issue 12): the editions' Ed25519 signing keys.

Revision ID: 0013_ticket_keys
Revises: 0012_schedule
Create Date: 2026-11-30 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_ticket_keys'
down_revision = '0012_schedule'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ticket_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('private_key_sealed', sa.LargeBinary(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_ticket_keys_edition_id_editions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_keys')),
    )
    with op.batch_alter_table('ticket_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_keys_edition_id'), ['edition_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_keys_edition_id'))
    op.drop_table('ticket_keys')
