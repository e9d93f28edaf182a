"""reception points and their operators; the point a booking joins from

Revision ID: 8a1c3e5f7b20
Revises: 7b3d2e1f0a58
Create Date: 2026-12-08 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8a1c3e5f7b20'
down_revision = '7b3d2e1f0a58'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('citizen','secretary','host','deputy','officer','inspector','admin')"
NEW_ROLES = ("role IN ('citizen','secretary','host','deputy','officer','inspector','admin',"
             "'operator')")


def upgrade():
    op.create_table('reception_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('central','satellite')",
                       name=op.f('ck_reception_points_known_kind')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                            name=op.f('fk_reception_points_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_points')),
    sa.UniqueConstraint('code', name=op.f('uq_reception_points_code'))
    )
    with op.batch_alter_table('reception_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_points_unit_id'), ['unit_id'],
                              unique=False)

    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('point_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_assignments_point_id'), ['point_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_assignments_point_id_reception_points'),
                                    'reception_points', ['point_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_role_assignments_known_role'), type_='check')
        batch_op.create_check_constraint('known_role', NEW_ROLES)

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('point_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_point_id'), ['point_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_point_id_reception_points'),
                                    'reception_points', ['point_id'], ['id'])


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_point_id_reception_points'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_point_id'))
        batch_op.drop_column('point_id')

    op.execute("DELETE FROM role_assignments WHERE role = 'operator'")
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_assignments_known_role'), type_='check')
        batch_op.create_check_constraint('known_role', OLD_ROLES)
        batch_op.drop_constraint(batch_op.f('fk_role_assignments_point_id_reception_points'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_assignments_point_id'))
        batch_op.drop_column('point_id')

    with op.batch_alter_table('reception_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_points_unit_id'))
    op.drop_table('reception_points')
