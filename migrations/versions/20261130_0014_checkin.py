"""Check-in (issue 12): check-in lists, their ticket types, and the log of every scan.

Revision ID: 0014_checkin
Revises: 0013_ticket_keys
Create Date: 2026-11-30 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014_checkin'
down_revision = '0013_ticket_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checkin_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('days', sa.JSON(), nullable=False),
        sa.Column('allow_reentry', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_checkin_lists_edition_id_editions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_lists')),
        sa.UniqueConstraint('edition_id', 'name', name=op.f('uq_checkin_lists_edition_id_name')),
    )
    with op.batch_alter_table('checkin_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_lists_edition_id'), ['edition_id'], unique=False)
    op.create_table(
        'checkin_list_ticket_types',
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('ticket_type_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['list_id'], ['checkin_lists.id'],
                                name=op.f('fk_checkin_list_ticket_types_list_id_checkin_lists'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_type_id'], ['ticket_types.id'],
                                name=op.f('fk_checkin_list_ticket_types_ticket_type_id_ticket_types'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('list_id', 'ticket_type_id', name=op.f('pk_checkin_list_ticket_types')),
    )
    op.create_table(
        'checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('attendee_id', sa.Integer(), nullable=True),
        sa.Column('admitted_attendee_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('gate', sa.String(length=60), server_default='', nullable=False),
        sa.Column('device', sa.String(length=60), server_default='', nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['admitted_attendee_id'], ['attendees.id'],
                                name=op.f('fk_checkins_admitted_attendee_id_attendees'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_checkins_attendee_id_attendees'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_checkins_edition_id_editions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['list_id'], ['checkin_lists.id'], name=op.f('fk_checkins_list_id_checkin_lists'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkins_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
        sa.UniqueConstraint('list_id', 'admitted_attendee_id', name='uq_checkins_one_entry'),
        sa.UniqueConstraint('nonce', name=op.f('uq_checkins_nonce')),
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_attendee_id'), ['attendee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_list_id'), ['list_id'], unique=False)


def downgrade():
    op.drop_table('checkins')
    op.drop_table('checkin_list_ticket_types')
    with op.batch_alter_table('checkin_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_lists_edition_id'))
    op.drop_table('checkin_lists')
