"""used tokens: emailed sign-off links are single-use

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('usedtoken',
    sa.Column('token_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('used_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ),
    sa.PrimaryKeyConstraint('token_id')
    )
    with op.batch_alter_table('usedtoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usedtoken_post_id'), ['post_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('usedtoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usedtoken_post_id'))

    op.drop_table('usedtoken')
