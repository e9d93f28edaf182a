"""outbox: which dispatcher claimed a message

Revision ID: 5c1e0a7d2f93
Revises: 5c3e8a1f0b27
Create Date: 2026-11-28 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1e0a7d2f93'
down_revision = '5c3e8a1f0b27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
