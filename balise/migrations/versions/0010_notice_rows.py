"""notice rows: the outbox keeps who, which post, the kind of news and its parameters; the mail
job puts them in words after the commit (no subject or body written in the deciding transaction)

Sign-off requests and reminders carry over as they are. Mails an older version wrote already in
words (to addresses) are tied to the member of the post's organization with that address; those
still pending are dropped (their news stays in the `notice` table and the audit log): stop the
workers and run `balise tick` before upgrading to send them first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 10:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import balise.models


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ADDRESSEE = (
    "(SELECT m.id FROM member m JOIN post p ON p.org_id = m.org_id WHERE p.id = outboxmail.post_id"
    " AND (', ' || outboxmail.recipients || ',') LIKE ('%, ' || m.email || ',%') ORDER BY m.id LIMIT 1)"
)


def upgrade() -> None:
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('news', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('send_after', balise.models.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE outboxmail SET kind = CASE WHEN reminder THEN 'reminder' ELSE 'signoff' END"
        " WHERE member_id IS NOT NULL"
    )
    op.execute(
        f"UPDATE outboxmail SET member_id = {ADDRESSEE}, kind = 'author',"
        " last_error = CASE WHEN state = 'pending' THEN 'written by an older version: not sent' ELSE last_error END,"
        " state = CASE WHEN state = 'pending' THEN 'dropped' ELSE state END"
        " WHERE member_id IS NULL"
    )
    op.execute("DELETE FROM outboxmail WHERE member_id IS NULL")
    op.execute("UPDATE outboxmail SET news = '{}'")
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.alter_column('news', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('reminder')
        batch_op.drop_column('recipients')
        batch_op.drop_column('subject')
        batch_op.drop_column('body')


def downgrade() -> None:
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('recipients', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE outboxmail SET reminder = (kind = 'reminder')")
    op.execute(
        "UPDATE outboxmail SET state = 'dropped', member_id = NULL WHERE kind IN ('author', 'attention')"
    )
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.drop_column('send_after')
        batch_op.drop_column('news')
        batch_op.drop_column('kind')
