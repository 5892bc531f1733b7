"""Report branding, action-plan owners and due dates, and the cache of rendered PDFs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:59:38.553591

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_brandings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=False),
    sa.Column('logo_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_brandings_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_brandings')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_organisation_brandings_organisation_id'))
    )
    op.create_table('action_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_key', sa.String(length=60), nullable=False),
    sa.Column('dimension_id', sa.String(length=60), nullable=False),
    sa.Column('level', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_action_assignments_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_assignments')),
    sa.UniqueConstraint('assessment_id', 'questionnaire_key', 'dimension_id', 'level', 'position', name='uq_action_assignments_recommendation')
    )
    with op.batch_alter_table('action_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_assignments_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('report_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_report_cache_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_cache')),
    sa.UniqueConstraint('key', name=op.f('uq_report_cache_key'))
    )
    with op.batch_alter_table('report_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_cache_assessment_id'), ['assessment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_cache_assessment_id'))

    op.drop_table('report_cache')
    with op.batch_alter_table('action_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_assignments_assessment_id'))

    op.drop_table('action_assignments')
    op.drop_table('organisation_brandings')
