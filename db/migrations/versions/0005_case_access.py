"""the access log: who opened, exported or looked up a case's words, and when

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column(
            "what",
            sa.Enum(
                "report_opened",
                "record_shown",
                "exported",
                "history_lookup",
                name="accesskind",
                native_enum=False,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_access_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_access")),
    )
    op.create_index("ix_case_access_case_at", "case_access", ["case_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_access_case_at", table_name="case_access")
    op.drop_table("case_access")
