"""meetings: when each organization's last « point médias sociaux » was produced; mailed as notices of no post

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 18:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import balise.models


revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('since', balise.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('held_at', balise.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_meeting_org_id'), 'meeting', ['org_id'], unique=False)
    # The meeting point is mailed through the outbox: a notice about no post.
    with op.batch_alter_table('outboxmail') as batch:
        batch.alter_column('post_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outboxmail WHERE post_id IS NULL")
    with op.batch_alter_table('outboxmail') as batch:
        batch.alter_column('post_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f('ix_meeting_org_id'), table_name='meeting')
    op.drop_table('meeting')
