"""The schedule: rooms' formats and descriptions, days and opening hours, blocks, draft
slots of confirmed talks, published versions; proposals get an importer's external_guid.

Revision ID: 0009_schedule
Revises: 0006_editions_cfp_hardening
Create Date: 2026-11-30 19:21:28.690818

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_schedule'
down_revision = '0006_editions_cfp_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('schedule_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_schedule_days_hours_in_order')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_schedule_days_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_days')),
    sa.UniqueConstraint('edition_id', 'day', name=op.f('uq_schedule_days_edition_id_day'))
    )
    with op.batch_alter_table('schedule_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_days_edition_id'), ['edition_id'], unique=False)

    op.create_table('schedule_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('granularity_minutes', sa.Integer(), server_default='5', nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('granularity_minutes > 0 AND granularity_minutes <= 120', name=op.f('ck_schedule_settings_granularity_range')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_schedule_settings_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_settings')),
    sa.UniqueConstraint('edition_id', name=op.f('uq_schedule_settings_edition_id'))
    )
    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_settings_edition_id'), ['edition_id'], unique=False)

    op.create_table('schedule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changelog', sa.JSON(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_schedule_versions_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_schedule_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_versions')),
    sa.UniqueConstraint('edition_id', 'number', name=op.f('uq_schedule_versions_edition_id_number'))
    )
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_versions_edition_id'), ['edition_id'], unique=False)

    op.create_table('schedule_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('break', 'keynote', 'social', 'other', name='blockkind', native_enum=False, length=16), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('blocks_talks', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_schedule_blocks_range_in_order')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_schedule_blocks_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_schedule_blocks_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_blocks'))
    )
    with op.batch_alter_table('schedule_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_blocks_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_blocks_room_id'), ['room_id'], unique=False)

    op.create_table('schedule_room_formats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('format_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['format_id'], ['session_formats.id'], name=op.f('fk_schedule_room_formats_format_id_session_formats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_schedule_room_formats_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_room_formats')),
    sa.UniqueConstraint('room_id', 'format_id', name=op.f('uq_schedule_room_formats_room_id_format_id'))
    )
    with op.batch_alter_table('schedule_room_formats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_room_formats_format_id'), ['format_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_room_formats_room_id'), ['room_id'], unique=False)

    op.create_table('schedule_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_schedule_slots_range_in_order')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_schedule_slots_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_schedule_slots_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_schedule_slots_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_slots')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_schedule_slots_proposal_id'))
    )
    with op.batch_alter_table('schedule_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_slots_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_slots_room_id'), ['room_id'], unique=False)

    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_guid', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_cfp_proposals_edition_id_external_guid'), ['edition_id', 'external_guid'])

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cfp_proposals_edition_id_external_guid'), type_='unique')
        batch_op.drop_column('external_guid')

    with op.batch_alter_table('schedule_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_slots_room_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_slots_edition_id'))

    op.drop_table('schedule_slots')
    with op.batch_alter_table('schedule_room_formats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_room_formats_room_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_room_formats_format_id'))

    op.drop_table('schedule_room_formats')
    with op.batch_alter_table('schedule_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_blocks_room_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_blocks_edition_id'))

    op.drop_table('schedule_blocks')
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_versions_edition_id'))

    op.drop_table('schedule_versions')
    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_settings_edition_id'))

    op.drop_table('schedule_settings')
    with op.batch_alter_table('schedule_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_days_edition_id'))

    op.drop_table('schedule_days')
