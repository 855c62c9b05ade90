"""metrics snapshots: followers, likes and per-post engagement, kept for years

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:07:05.662875
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('accountsnapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('taken_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('followers', sa.Integer(), nullable=True),
    sa.Column('likes', sa.Integer(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('accountsnapshot', schema=None) as batch_op:
        batch_op.create_index('ix_accountsnapshot_org_taken', ['org_id', 'taken_at'], unique=False)

    op.create_table('postsnapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('taken_at', balise.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reactions', sa.Integer(), nullable=True),
    sa.Column('comments', sa.Integer(), nullable=True),
    sa.Column('shares', sa.Integer(), nullable=True),
    sa.Column('reach', sa.Integer(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('postsnapshot', schema=None) as batch_op:
        batch_op.create_index('ix_postsnapshot_org_taken', ['org_id', 'taken_at'], unique=False)
        batch_op.create_index('ix_postsnapshot_target_taken', ['target_id', 'taken_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('postsnapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_postsnapshot_target_taken')
        batch_op.drop_index('ix_postsnapshot_org_taken')

    op.drop_table('postsnapshot')
    with op.batch_alter_table('accountsnapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_accountsnapshot_org_taken')

    op.drop_table('accountsnapshot')
