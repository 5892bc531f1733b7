"""Organisation names are no longer unique across the whole app, only among the
organisations each person sees (checked by the form): a consultant refused a name held by
a client they cannot see would learn that the client exists. The index stays for search.

Downgrading restores the unique constraint, and fails while two organisations share a
name: rename one of them first.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 03:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organisations_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_organisations_name'), ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name'))
        batch_op.create_unique_constraint(batch_op.f('uq_organisations_name'), ['name'])
