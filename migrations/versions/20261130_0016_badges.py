"""Badges (issue 12): each registration's badge (its signed code, printed, to reprint,
revoked), the organizers' print sheets, and attachment descriptors on outbox messages.

Revision ID: 0016_badges
Revises: 0015_review_totals
Create Date: 2026-11-30 22:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_badges"
down_revision = "0015_review_totals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("needs_reprint", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("revoked_reason", sa.String(length=24), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendees.id"], name=op.f("fk_badges_attendee_id_attendees"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_badges_edition_id_editions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badges")),
        sa.UniqueConstraint("attendee_id", name=op.f("uq_badges_attendee_id")),
    )
    with op.batch_alter_table("badges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badges_edition_id"), ["edition_id"], unique=False)
        batch_op.create_index("ix_badges_edition_id_printed_at", ["edition_id", "printed_at"], unique=False)
        batch_op.create_index("ix_badges_edition_id_revoked_reason", ["edition_id", "revoked_reason"], unique=False)

    op.create_table(
        "badge_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("only_unprinted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ticket_type_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="queued", nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_badge_sheets_edition_id_editions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_badge_sheets_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_type_id"],
            ["ticket_types.id"],
            name=op.f("fk_badge_sheets_ticket_type_id_ticket_types"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_sheets")),
        sa.UniqueConstraint("token", name=op.f("uq_badge_sheets_token")),
    )
    with op.batch_alter_table("badge_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_sheets_edition_id"), ["edition_id"], unique=False)

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), server_default="[]", nullable=False))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("attachments")
    with op.batch_alter_table("badge_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_sheets_edition_id"))
    op.drop_table("badge_sheets")
    with op.batch_alter_table("badges", schema=None) as batch_op:
        batch_op.drop_index("ix_badges_edition_id_revoked_reason")
        batch_op.drop_index("ix_badges_edition_id_printed_at")
        batch_op.drop_index(batch_op.f("ix_badges_edition_id"))
    op.drop_table("badges")
