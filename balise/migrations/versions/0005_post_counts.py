"""post counts per organization and state, for a status that does not count a million rows

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
    op.execute("INSERT INTO postcount (org_id, state, count) SELECT org_id, state, count(*) FROM post GROUP BY org_id, state")


def downgrade() -> None:
    op.drop_table('postcount')
