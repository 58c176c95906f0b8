"""Edition content in several languages (issue 13): ``translations`` on editions, themes
and ticket types, the call for papers' text, the language of an order or waiting-list
entry (for its mail when the buyer has no account); and for the schedule (issue 11) a talk's imported event type and its expected
audience.

Revision ID: 0021_edition_translations
Revises: 0019_audit_privacy
Create Date: 2026-11-30 22:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_edition_translations'
down_revision = '0019_audit_privacy'
branch_labels = None
depends_on = None

TRANSLATED = ('editions', 'themes', 'ticket_types')


def upgrade():
    for table in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_text', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('waiting_list_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_type', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('expected_audience', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('cfp_proposals', schema=None) as batch_op:
        batch_op.drop_column('expected_audience')
        batch_op.drop_column('external_type')
    with op.batch_alter_table('waiting_list_entries', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_column('call_text')
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
