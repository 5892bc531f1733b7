"""Report branding of a consultant's workspace: the same logo and accent colour columns as an
organisation's, one row per consultant.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:45:10.564375

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultant_brandings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=False),
    sa.Column('logo_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consultant_brandings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultant_brandings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_consultant_brandings_user_id'))
    )


def downgrade():
    op.drop_table('consultant_brandings')
