"""post counts per organization and state, and targets by (state, updated_at): a status that
does not read a million rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('postcount',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('org_id', 'state')
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index('ix_target_state_updated', ['state', 'updated_at'], unique=False)
    op.execute("INSERT INTO postcount (org_id, state, count) SELECT org_id, state, count(*) FROM post GROUP BY org_id, state")


def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index('ix_target_state_updated')
    op.drop_table('postcount')
