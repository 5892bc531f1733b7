"""Open follow-ups indexed by their due day: a home page reads them in that order until
it has the first ten that are its reader's, however many an organisation has.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(
            'ix_follow_ups_open_due_on',
            ['due_on', 'id'],
            unique=False,
            postgresql_where=sa.text('done_at IS NULL'),
            sqlite_where=sa.text('done_at IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_open_due_on')
