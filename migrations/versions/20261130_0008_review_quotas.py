"""Review: a quota of accepted proposals per theme (the committee's dashboard).

Revision ID: 0008_review_quotas
Revises: 0007_review
Create Date: 2026-11-30 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_review_quotas'
down_revision = '0007_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_theme_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quota >= 0 AND quota <= 10000', name=op.f('ck_review_theme_quotas_quota_range')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_theme_quotas_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_review_theme_quotas_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_theme_quotas')),
    sa.UniqueConstraint('edition_id', 'theme_id', name=op.f('uq_review_theme_quotas_edition_id_theme_id'))
    )
    with op.batch_alter_table('review_theme_quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_theme_quotas_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_theme_quotas_theme_id'), ['theme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_theme_quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_theme_quotas_theme_id'))
        batch_op.drop_index(batch_op.f('ix_review_theme_quotas_edition_id'))
    op.drop_table('review_theme_quotas')
