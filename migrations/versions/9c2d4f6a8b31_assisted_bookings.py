"""who booked a case on the citizen's behalf at a reception point, and the name they typed

Revision ID: 9c2d4f6a8b31
Revises: 8a1c3e5f7b20
Create Date: 2026-12-08 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c2d4f6a8b31'
down_revision = '8a1c3e5f7b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assisted_name', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_bookings_assisted_by_id_users'),
                                    'users', ['assisted_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_assisted_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('assisted_name')
        batch_op.drop_column('assisted_by_id')
