"""comments: what comes back under the organization's posts, triaged and acted on

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('written_at', balise.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('fetched_at', balise.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('clause', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('proposed', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('hidden_on_platform', sa.Boolean(), nullable=False),
        sa.Column('gone_at', balise.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_at', balise.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reply_remote_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['post_id'], ['post.id']),
        sa.ForeignKeyConstraint(['target_id'], ['target.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('org_id', 'platform', 'remote_id'),
    )
    op.create_index('ix_comment_org_state', 'comment', ['org_id', 'state'])
    op.create_index(op.f('ix_comment_post_id'), 'comment', ['post_id'])
    op.create_table(
        'commentfetch',
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('last_at', balise.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('not_before', balise.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.PrimaryKeyConstraint('org_id', 'platform'),
    )


def downgrade() -> None:
    op.drop_table('commentfetch')
    op.drop_index(op.f('ix_comment_post_id'), table_name='comment')
    op.drop_index('ix_comment_org_state', table_name='comment')
    op.drop_table('comment')
