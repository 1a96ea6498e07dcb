"""Key lessons carry themes, roles and the recurring lesson they restate; lesson keys (case id '#' quote hash)
get room for a long case id."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = 320  # a case id (up to 300 characters) '#' and a 16-character hash of the quoted words


def upgrade() -> None:
    with op.batch_alter_table("key_lessons") as batch:
        batch.add_column(sa.Column("themes", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("roles", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("lesson_key", sa.String(KEY), nullable=True))
    with op.batch_alter_table("actions") as batch:
        batch.alter_column("lesson_key", type_=sa.String(KEY), existing_type=sa.String(64), existing_nullable=True)
    with op.batch_alter_table("note_links") as batch:
        batch.alter_column("lesson_key", type_=sa.String(KEY), existing_type=sa.String(64), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("note_links") as batch:
        batch.alter_column("lesson_key", type_=sa.String(64), existing_type=sa.String(KEY), existing_nullable=False)
    with op.batch_alter_table("actions") as batch:
        batch.alter_column("lesson_key", type_=sa.String(64), existing_type=sa.String(KEY), existing_nullable=True)
    with op.batch_alter_table("key_lessons") as batch:
        batch.drop_column("lesson_key")
        batch.drop_column("roles")
        batch.drop_column("themes")
