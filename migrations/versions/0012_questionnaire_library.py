"""The questionnaire library: consultants' own questionnaires, drafted in the app.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'library_questionnaires',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=True),
        sa.Column('draft', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['owner_id'], ['users.id'],
            name=op.f('fk_library_questionnaires_owner_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_questionnaires')),
        sa.UniqueConstraint('key', name=op.f('uq_library_questionnaires_key')),
    )
    with op.batch_alter_table('library_questionnaires', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_library_questionnaires_owner_id'), ['owner_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('library_questionnaires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_questionnaires_owner_id'))
    op.drop_table('library_questionnaires')
