"""when form 01/TCD (the written refusal notice) was first issued for a booking

Revision ID: 8d1f3a5c7e20
Revises: 9c4e2a7d1f63
Create Date: 2026-12-07 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d1f3a5c7e20'
down_revision = '9c4e2a7d1f63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refusal_notice_issued_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('refusal_notice_issued_at')
