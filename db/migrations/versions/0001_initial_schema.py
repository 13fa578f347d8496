"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "acknowledged",
                "investigating",
                "action_taken",
                "resolved",
                "closed",
                name="casestatus",
                native_enum=False,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "harassment",
                "discrimination",
                "stalking",
                "sexual_attention",
                "disruption",
                "spam",
                "other",
                name="category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("follow_up_allowed", sa.Boolean(), nullable=False),
        sa.Column("apology_wanted", sa.Boolean(), nullable=False),
        sa.Column(
            "routing",
            sa.Enum("pending", "organizers", "escalated", "held", name="routing", native_enum=False, length=18),
            nullable=False,
        ),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("reporter_dm_channel", sa.String(length=32), nullable=True),
        sa.Column("reporter_dm_ts", sa.String(length=32), nullable=True),
        sa.Column("assignee_id", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "action_taken",
                "no_action_needed",
                "unresolved",
                "withdrawn",
                name="outcome",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("closing_summary", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("self_report", sa.Boolean(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reporter_contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_cases_submission_key")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_channel_status", ["channel_id", "status", "urgent", "created_at"], unique=False)
        batch_op.create_index("ix_cases_closed_purged", ["closed_at", "purged_at"], unique=False)
        batch_op.create_index("ix_cases_routing", ["routing"], unique=False)
        batch_op.create_index("ix_cases_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    # Case numbers start at 1 (CoC-0001).
    op.bulk_insert(sa.table("counters", sa.column("name"), sa.column("value")), [{"name": "case", "value": 0}])
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "case_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "asked_to_stop",
                "formal_warning",
                "no_contact",
                "excluded_from_socials",
                "session_ended",
                "recording_withheld",
                "barred_from_speaking",
                "removed_from_channel",
                "expelled",
                name="actionkind",
                native_enum=False,
                length=29,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("channel_ids", sa.JSON(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "recorded",
                "awaiting_confirmation",
                "pending",
                "cancelled",
                "done",
                "failed",
                name="actionresult",
                native_enum=False,
                length=29,
            ),
            nullable=False,
        ),
        sa.Column("result_detail", sa.String(length=300), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_actions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_actions")),
    )
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_actions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "sent", "failed", name="outboxstate", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outbox_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_state_id", ["state", "id"], unique=False)

    op.create_table(
        "own_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "wants_to_talk",
                "sees_differently",
                "under_review",
                "changes_requested",
                "awaiting_consent",
                "delivered",
                "not_delivered",
                "acknowledged",
                "expired",
                "withdrawn",
                name="ownupstate",
                native_enum=False,
                length=25,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("coc_part", sa.String(length=40), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement", sa.Text(), nullable=True),
        sa.Column("apology", sa.Text(), nullable=True),
        sa.Column("change", sa.Text(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("not_delivered_reason", sa.Text(), nullable=True),
        sa.Column(
            "recipient_answer",
            sa.Enum("accept", "received", "no_response", name="recipientanswer", native_enum=False, length=19),
            nullable=True,
        ),
        sa.Column("review_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_own_ups_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_ups")),
    )
    with op.batch_alter_table("own_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_own_ups_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_own_ups_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_own_ups_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "role", sa.Enum("reporter", "involved", name="partyrole", native_enum=False, length=16), nullable=False
        ),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_parties_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("case_id", "role", "slack_user_id", name="uq_parties_case_role_user"),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index("ix_parties_user_role", ["slack_user_id", "role"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ack_due",
                "stale",
                "reporter_update",
                "own_up_nudge",
                "own_up_deadline",
                name="reminderkind",
                native_enum=False,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column(
            "state", sa.Enum("pending", "done", name="reminderstate", native_enum=False, length=15), nullable=False
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("last_fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reminders_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("case_id", "kind", "subject", name="uq_reminders_case_kind_subject"),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_state_due", ["state", "due_at"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location_channel_id", sa.String(length=32), nullable=True),
        sa.Column("location_text", sa.Text(), nullable=True),
        sa.Column("occurred_on", sa.String(length=10), nullable=True),
        sa.Column("occurred_at_time", sa.String(length=5), nullable=True),
        sa.Column("others_involved", sa.Text(), nullable=True),
        sa.Column("evidence_channel_id", sa.String(length=32), nullable=True),
        sa.Column("evidence_ts", sa.String(length=32), nullable=True),
        sa.Column("evidence_author_id", sa.String(length=32), nullable=True),
        sa.Column("evidence_excerpt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reports_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("case_id", name=op.f("uq_reports_case_id")),
    )
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "created",
                "routed",
                "held",
                "acknowledged",
                "assigned",
                "status_changed",
                "note",
                "message_to_reporter",
                "reporter_message",
                "action_recorded",
                "action_carried_out",
                "closed",
                "reopened",
                "own_up",
                "purged",
                name="timelinekind",
                native_enum=False,
                length=27,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_timeline_entries_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_entries")),
    )
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timeline_entries_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_entries_case_id"))

    op.drop_table("timeline_entries")
    op.drop_table("reports")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_state_due")

    op.drop_table("reminders")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index("ix_parties_user_role")

    op.drop_table("parties")
    with op.batch_alter_table("own_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_own_ups_subject_id"))
        batch_op.drop_index(batch_op.f("ix_own_ups_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_own_ups_case_id"))

    op.drop_table("own_ups")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_id")

    op.drop_table("outbox")
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_actions_case_id"))

    op.drop_table("case_actions")
    op.drop_table("processed_events")
    op.drop_table("counters")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_created")
        batch_op.drop_index("ix_cases_routing")
        batch_op.drop_index("ix_cases_closed_purged")
        batch_op.drop_index("ix_cases_channel_status")

    op.drop_table("cases")
