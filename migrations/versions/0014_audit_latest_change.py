"""An assessment's audit events indexed with their ids: its latest event, by which the
results page keeps its scores, is then one step of the index, however many events it has.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_assessment_id'))
        batch_op.create_index(
            'ix_audit_events_assessment_id_id', ['assessment_id', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_assessment_id_id')
        batch_op.create_index(
            batch_op.f('ix_audit_events_assessment_id'), ['assessment_id'], unique=False
        )
