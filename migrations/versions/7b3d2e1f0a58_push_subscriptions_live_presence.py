"""web push subscriptions; citizens present in a waiting room

Revision ID: 7b3d2e1f0a58
Revises: 7c3e5a9b1d02
Create Date: 2026-12-08 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b3d2e1f0a58'
down_revision = '7c3e5a9b1d02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_push_subscriptions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscriptions_endpoint'))
    )
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscriptions_user_id'), ['user_id'],
                              unique=False)

    op.create_table('live_presence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=120), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'],
                            name=op.f('fk_live_presence_session_id_reception_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_live_presence_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_presence')),
    sa.UniqueConstraint('sid', 'session_id', name=op.f('uq_live_presence_sid_session_id'))
    )
    with op.batch_alter_table('live_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_presence_session_id'), ['session_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_live_presence_sid'), ['sid'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_presence_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('live_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_presence_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_presence_sid'))
        batch_op.drop_index(batch_op.f('ix_live_presence_session_id'))
    op.drop_table('live_presence')
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_user_id'))
    op.drop_table('push_subscriptions')
