"""Review: each review's weighted total and each proposal's summary (count, mean, lowest,
highest, spread) kept for the committee's ranking, with the existing reviews summed up.

Revision ID: 0015_review_totals
Revises: 0014_checkin
Create Date: 2026-11-30 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_review_totals'
down_revision = '0014_checkin'
branch_labels = None
depends_on = None

# The backfill's own view of the tables (the models may change after this revision).
reviews = sa.table('reviews', sa.column('id', sa.Integer), sa.column('edition_id', sa.Integer),
                   sa.column('proposal_id', sa.Integer), sa.column('submitted_at', sa.DateTime),
                   sa.column('total', sa.Float))
scores = sa.table('review_scores', sa.column('review_id', sa.Integer), sa.column('criterion_id', sa.Integer),
                  sa.column('value', sa.Integer))
criteria = sa.table('review_criteria', sa.column('id', sa.Integer), sa.column('weight', sa.Integer))
totals = sa.table('review_proposal_totals', sa.column('proposal_id', sa.Integer), sa.column('edition_id', sa.Integer),
                  sa.column('reviews', sa.Integer), sa.column('score', sa.Float), sa.column('low', sa.Float),
                  sa.column('high', sa.Float), sa.column('spread', sa.Float))


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Float(), nullable=True))
    op.create_table('review_proposal_totals',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('low', sa.Float(), nullable=False),
    sa.Column('high', sa.Float(), nullable=False),
    sa.Column('spread', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_proposal_totals_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_review_proposal_totals_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_review_proposal_totals'))
    )
    with op.batch_alter_table('review_proposal_totals', schema=None) as batch_op:
        batch_op.create_index('ix_review_proposal_totals_reviews', ['edition_id', 'reviews'], unique=False)
        batch_op.create_index('ix_review_proposal_totals_score', ['edition_id', 'score'], unique=False)
        batch_op.create_index('ix_review_proposal_totals_spread', ['edition_id', 'spread'], unique=False)

    # Backfill: the same sums as convention/review/totals.py.
    weighted = (sa.select(sa.cast(sa.func.sum(scores.c.value * criteria.c.weight), sa.Float)
                          / sa.func.sum(criteria.c.weight))
                .select_from(scores.join(criteria, criteria.c.id == scores.c.criterion_id))
                .where(scores.c.review_id == reviews.c.id).scalar_subquery())
    op.execute(reviews.update().values(total=weighted))
    total = reviews.c.total
    op.execute(totals.insert().from_select(
        ['proposal_id', 'edition_id', 'reviews', 'score', 'low', 'high', 'spread'],
        sa.select(reviews.c.proposal_id, reviews.c.edition_id, sa.func.count(total), sa.func.avg(total),
                  sa.func.min(total), sa.func.max(total), sa.func.max(total) - sa.func.min(total))
        .where(reviews.c.submitted_at.is_not(None), total.is_not(None))
        .group_by(reviews.c.proposal_id, reviews.c.edition_id)))


def downgrade():
    with op.batch_alter_table('review_proposal_totals', schema=None) as batch_op:
        batch_op.drop_index('ix_review_proposal_totals_spread')
        batch_op.drop_index('ix_review_proposal_totals_score')
        batch_op.drop_index('ix_review_proposal_totals_reviews')
    op.drop_table('review_proposal_totals')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('total')
