"""outbox: template facts, iMIP part, provider's message id and answer

Revision ID: 6a2b1c0d9e41
Revises: 5e1a7c3b9d20
Create Date: 2026-12-07 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6a2b1c0d9e41'
down_revision = '5e1a7c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('calendar', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=120), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('provider_answer', sa.Text(), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('provider_answer')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('calendar')
        batch_op.drop_column('facts')
