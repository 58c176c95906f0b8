"""The language a person chose for their pages and mail (issue 13): users.language.

Revision ID: 0010_user_language
Revises: 0009_orders_email_index
Create Date: 2026-11-30 20:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_user_language'
down_revision = '0009_orders_email_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
