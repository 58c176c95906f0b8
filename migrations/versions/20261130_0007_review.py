"""Review: settings of the phase, criteria, reviewers' themes and teams, bids, conflicts,
assignments, reviews and scores, decisions and notification templates.

Revision ID: 0007_review
Revises: 0006_editions_cfp_hardening
Create Date: 2026-11-30 18:58:38.844551

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_review'
down_revision = '0006_editions_cfp_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('scale_min', sa.Integer(), server_default='1', nullable=False),
    sa.Column('scale_max', sa.Integer(), server_default='5', nullable=False),
    sa.Column('weight', sa.Integer(), server_default='1', nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('scale_max > scale_min', name=op.f('ck_review_criteria_scale_in_order')),
    sa.CheckConstraint('scale_min >= -100 AND scale_max <= 100', name=op.f('ck_review_criteria_scale_range')),
    sa.CheckConstraint('weight >= 1 AND weight <= 100', name=op.f('ck_review_criteria_weight_range')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_criteria_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_criteria')),
    sa.UniqueConstraint('edition_id', 'name', name=op.f('uq_review_criteria_edition_id_name'))
    )
    with op.batch_alter_table('review_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_criteria_edition_id'), ['edition_id'], unique=False)

    op.create_table('review_notification_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('accept', 'reject', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_notification_templates_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_notification_templates')),
    sa.UniqueConstraint('edition_id', 'outcome', name=op.f('uq_review_notification_templates_edition_id_outcome'))
    )
    with op.batch_alter_table('review_notification_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_notification_templates_edition_id'), ['edition_id'], unique=False)

    op.create_table('review_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blind', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('scores_visible_after_own', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('reviews_per_proposal', sa.Integer(), server_default='3', nullable=False),
    sa.CheckConstraint('closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at', name=op.f('ck_review_settings_dates_in_order')),
    sa.CheckConstraint('reviews_per_proposal >= 1 AND reviews_per_proposal <= 20', name=op.f('ck_review_settings_reviews_range')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_settings_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_settings')),
    sa.UniqueConstraint('edition_id', name=op.f('uq_review_settings_edition_id'))
    )
    op.create_table('review_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_teams_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_teams')),
    sa.UniqueConstraint('edition_id', 'name', name=op.f('uq_review_teams_edition_id_name'))
    )
    with op.batch_alter_table('review_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_teams_edition_id'), ['edition_id'], unique=False)

    op.create_table('review_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['review_teams.id'], name=op.f('fk_review_team_members_team_id_review_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_team_members')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_review_team_members_team_id_user_id'))
    )
    with op.batch_alter_table('review_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_team_members_user_id'), ['user_id'], unique=False)

    op.create_table('review_team_themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['review_teams.id'], name=op.f('fk_review_team_themes_team_id_review_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_review_team_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_team_themes')),
    sa.UniqueConstraint('team_id', 'theme_id', name=op.f('uq_review_team_themes_team_id_theme_id'))
    )
    with op.batch_alter_table('review_team_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_team_themes_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_team_themes_theme_id'), ['theme_id'], unique=False)

    op.create_table('reviewer_themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_reviewer_themes_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_reviewer_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviewer_themes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_themes')),
    sa.UniqueConstraint('user_id', 'theme_id', 'edition_id', name=op.f('uq_reviewer_themes_user_id_theme_id_edition_id'))
    )
    with op.batch_alter_table('reviewer_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_themes_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_themes_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_themes_user_id'), ['user_id'], unique=False)

    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('manual', 'automatic', name='assignmentsource', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_assignments_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_review_assignments_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_review_assignments_proposal_id_user_id'))
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignments_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('review_bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('eager', 'willing', 'not_willing', 'conflict', name='bidlevel', native_enum=False, length=16), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_bids_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_review_bids_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_bids_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_bids')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_review_bids_proposal_id_user_id'))
    )
    with op.batch_alter_table('review_bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_bids_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_bids_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_bids_user_id'), ['user_id'], unique=False)

    op.create_table('review_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('declared', 'speaker', 'organisation', 'email_domain', name='conflictsource', native_enum=False, length=16), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_conflicts_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_review_conflicts_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_conflicts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_conflicts')),
    sa.UniqueConstraint('proposal_id', 'user_id', 'source', name=op.f('uq_review_conflicts_proposal_id_user_id_source'))
    )
    with op.batch_alter_table('review_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_conflicts_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_conflicts_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_conflicts_user_id'), ['user_id'], unique=False)

    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('accept', 'reject', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_review_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_review_decisions_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_review_decisions_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_review_decisions_proposal_id'))
    )
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_decisions_edition_id'), ['edition_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('feedback', sa.Text(), server_default='', nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_reviews_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['cfp_proposals.id'], name=op.f('fk_reviews_proposal_id_cfp_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_reviews_proposal_id_user_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('review_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['review_criteria.id'], name=op.f('fk_review_scores_criterion_id_review_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_scores_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_review_scores_review_id_criterion_id'))
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_scores_review_id'), ['review_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_scores_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_scores_criterion_id'))

    op.drop_table('review_scores')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_user_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_edition_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_decisions_edition_id'))

    op.drop_table('review_decisions')
    with op.batch_alter_table('review_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_conflicts_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_conflicts_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_review_conflicts_edition_id'))

    op.drop_table('review_conflicts')
    with op.batch_alter_table('review_bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_bids_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_bids_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_review_bids_edition_id'))

    op.drop_table('review_bids')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignments_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignments_edition_id'))

    op.drop_table('review_assignments')
    with op.batch_alter_table('reviewer_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_themes_user_id'))
        batch_op.drop_index(batch_op.f('ix_reviewer_themes_theme_id'))
        batch_op.drop_index(batch_op.f('ix_reviewer_themes_edition_id'))

    op.drop_table('reviewer_themes')
    with op.batch_alter_table('review_team_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_team_themes_theme_id'))
        batch_op.drop_index(batch_op.f('ix_review_team_themes_team_id'))

    op.drop_table('review_team_themes')
    with op.batch_alter_table('review_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_team_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_team_members_team_id'))

    op.drop_table('review_team_members')
    with op.batch_alter_table('review_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_teams_edition_id'))

    op.drop_table('review_teams')
    op.drop_table('review_settings')
    with op.batch_alter_table('review_notification_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_notification_templates_edition_id'))

    op.drop_table('review_notification_templates')
    with op.batch_alter_table('review_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_criteria_edition_id'))

    op.drop_table('review_criteria')
