"""gate examples: the decisions people make on the gate's verdicts, kept as labelled drafts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:45:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import balise.models


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('gateexample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('platforms', sa.JSON(), nullable=False),
    sa.Column('gate_verdict', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('expected', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gateexample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gateexample_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gateexample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gateexample_org_id'))
    op.drop_table('gateexample')
