"""posted messages: the app's own Slack messages by case (channel and ts), so that a purged
case's messages can be deleted from Slack too

Cases posted before this revision have their card and their receipt DM recorded from the case
itself (the thread replies of those cases were never recorded anywhere).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posted_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "deletion",
            sa.Enum("deleted", "already_gone", "unreachable", name="slackdeletion", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("deletion_error", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_posted_messages_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_messages")),
        sa.UniqueConstraint("channel", "ts", name="uq_posted_messages_channel_ts"),
    )
    with op.batch_alter_table("posted_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posted_messages_case_id"), ["case_id"], unique=False)
    # What earlier versions kept of their posts: each case's card and its receipt DM.
    for channel, ts in (("channel_id", "card_ts"), ("reporter_dm_channel", "reporter_dm_ts")):
        op.execute(
            f"INSERT INTO posted_messages (case_id, channel, ts, posted_at) "
            f"SELECT id, {channel}, {ts}, created_at FROM cases "
            f"WHERE {channel} IS NOT NULL AND {ts} IS NOT NULL AND purged_at IS NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("posted_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_messages_case_id"))
    op.drop_table("posted_messages")
