"""Running the approval app under uvicorn, with link tokens kept out of the access log."""

from __future__ import annotations

import logging
import re

import uvicorn

from balise.db import get_engine
from balise.mail.links import require_secret
from balise.web.app import create_app

# The token of a sign-off or sign-in link, and the MAC of a calendar's secret address (before ".ics").
TOKEN_IN_PATH = re.compile(r"(/signature/\d+/|/connexion/|/calendrier/[^/?\s]+/)[^/?\s]+?(?=\.ics\b|[/?\s]|$)")


def redact(path: str) -> str:
    """`/signature/12/<token>/approuver` becomes `/signature/12/…/approuver`, and
    `/calendrier/<org>/<mac>.ics` becomes `/calendrier/<org>/….ics`: both are credentials."""
    return TOKEN_IN_PATH.sub(r"\1…", path)


class RedactTokens(logging.Filter):
    """uvicorn's access log line is `client - "METHOD PATH HTTP/x" status`: the path is argument 3."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


REDACT_TOKENS = RedactTokens()


def make_server(host: str, port: int) -> uvicorn.Server:
    """A configured server; the settings and the database are checked before it listens."""
    require_secret()
    get_engine()  # migrate now, not on the first approver's click
    config = uvicorn.Config(create_app(), host=host, port=port, server_header=False, log_level="info")
    # After `Config()`: it applies uvicorn's logging configuration to these loggers.
    logging.getLogger("uvicorn.access").addFilter(REDACT_TOKENS)
    return uvicorn.Server(config)
