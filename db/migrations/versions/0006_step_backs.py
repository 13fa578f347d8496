"""organizers who stepped back from a case

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_backs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("confirmer_id", sa.String(length=32), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_step_backs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_backs")),
    )
    op.create_index("ix_step_backs_case_user", "step_backs", ["case_id", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_step_backs_case_user", table_name="step_backs")
    op.drop_table("step_backs")
