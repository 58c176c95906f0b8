"""An index on orders by edition and buyer's email: placing an order counts the buyer's
open orders (at most MAX_OPEN_ORDERS_PER_EMAIL), which otherwise reads every reserved
order of the edition, more with each order sold.

Revision ID: 0009_orders_email_index
Revises: 0008_review_quotas
Create Date: 2026-11-30 19:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_orders_email_index'
down_revision = '0008_review_quotas'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_edition_id_email', ['edition_id', 'email'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_edition_id_email')
