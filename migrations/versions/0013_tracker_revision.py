"""A revision number per organisation, raised by every write to its customer tracker: the
tracker's figures are kept per organisation and period until it changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('tracker_revision', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('tracker_revision')
