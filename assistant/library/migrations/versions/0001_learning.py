"""The first schema: actions, learning notes with their lesson links, key lessons and the audit trail."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_case", sa.String(300), nullable=False),
        sa.Column("source_hash", sa.String(16), nullable=False),
        sa.Column("recommendation", sa.Text, nullable=False),
        sa.Column("lesson_key", sa.String(64), nullable=True),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("lead", sa.String(300), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("review_date", sa.Date, nullable=True),
        *_stamps(),
    )
    op.create_index("ix_actions_source", "actions", ["source_case", "source_hash"])
    op.create_index("ix_actions_due", "actions", ["due"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("month", sa.Integer, nullable=True),
        sa.Column("setting", sa.String(300), nullable=False),
        sa.Column("happened", sa.Text, nullable=False),
        sa.Column("learned", sa.Text, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("themes", sa.JSON, nullable=False),
        *_stamps(),
    )
    op.create_table(
        "note_links",
        sa.Column("note_id", sa.Integer, sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("lesson_key", sa.String(64), primary_key=True),
    )
    op.create_table(
        "key_lessons",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        *_stamps(),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("op", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_entity", "audit", ["entity", "entity_id"])


def downgrade() -> None:
    for table in ("audit", "key_lessons", "note_links", "notes", "actions"):
        op.drop_table(table)
