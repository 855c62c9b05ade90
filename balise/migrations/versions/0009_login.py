"""login: an organization may require the logged-in member for guarded commands; the mailed codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_login', sa.Boolean(), nullable=True))
    op.create_table('logincode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', balise.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('logincode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logincode_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('logincode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logincode_member_id'))
    op.drop_table('logincode')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('require_login')
