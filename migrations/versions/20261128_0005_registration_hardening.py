"""Registration hardening: a checkout form's idempotency key on orders (one submission, one order).

Revision ID: 0005_registration_hardening
Revises: 0004_payments
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_registration_hardening'
down_revision = '0004_payments'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable and unique: existing orders have no key, and NULLs never clash.
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_orders_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_orders_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
