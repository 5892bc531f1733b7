"""An organisation's consent to the anonymous benchmark pool (off by default) and the
record of who changed it and when.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('benchmark_consent', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('benchmark_consent_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_benchmark_consent_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_benchmark_consent_changes_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmark_consent_changes'))
    )
    with op.batch_alter_table('benchmark_consent_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmark_consent_changes_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('benchmark_consent_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmark_consent_changes_organisation_id'))
    op.drop_table('benchmark_consent_changes')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('benchmark_consent')
