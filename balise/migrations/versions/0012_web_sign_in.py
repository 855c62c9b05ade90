"""web sign-in: the emailed sign-in links (single use, counted for the limits) and the browsers' sessions

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-14 10:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('signinlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', balise.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_id')
    )
    with op.batch_alter_table('signinlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signinlink_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinlink_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinlink_email'), ['email'], unique=False)
    op.create_table('websession',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', balise.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_websession_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_websession_member_id'))
    op.drop_table('websession')
    with op.batch_alter_table('signinlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signinlink_email'))
        batch_op.drop_index(batch_op.f('ix_signinlink_created_at'))
        batch_op.drop_index(batch_op.f('ix_signinlink_address'))
    op.drop_table('signinlink')
