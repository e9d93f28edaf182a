"""bookings: the citizen was unsure of the matter type (the secretary classifies it)

Revision ID: 7c3e5a9b1d02
Revises: 7c4d2e9f1a35
Create Date: 2026-12-08 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3e5a9b1d02'
down_revision = '7c4d2e9f1a35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type_uncertain', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('type_uncertain')
