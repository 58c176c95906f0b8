"""Editions start as unpublished drafts; a draft proposal may leave theme and format open;
co-speaker invitations can be revoked.

Existing editions stay published (server default true); the service creates new ones
unpublished.

Revision ID: 0006_editions_cfp_hardening
Revises: 0005_registration_hardening
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_editions_cfp_hardening'
down_revision = '0005_registration_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.alter_column('theme_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('format_id', existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table('cfp_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('cfp_invitations', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')

    # Drafts without a theme or format cannot go back to a NOT NULL column: give them
    # their edition's first theme and format (drafts only ever lack them).
    op.execute(
        "UPDATE cfp_proposals SET theme_id = (SELECT MIN(t.id) FROM themes t WHERE t.edition_id = cfp_proposals.edition_id) "
        "WHERE theme_id IS NULL"
    )
    op.execute(
        "UPDATE cfp_proposals SET format_id = (SELECT MIN(f.id) FROM session_formats f "
        "WHERE f.edition_id = cfp_proposals.edition_id) WHERE format_id IS NULL"
    )
    op.execute("DELETE FROM cfp_proposals WHERE theme_id IS NULL OR format_id IS NULL")
    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.alter_column('format_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('theme_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_column('published')
