"""Running the approval app under uvicorn, with link tokens kept out of the access log and
uvicorn's own lines in the user's language."""

from __future__ import annotations

import logging
import re

import uvicorn

from balise.db import get_engine
from balise.i18n import t
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

# uvicorn's lines (its `uvicorn.error` logger, uvicorn pinned in pyproject.toml), by their format.
UVICORN_LINES = {
    "Started server process [%d]": "web.log_started",
    "Finished server process [%d]": "web.log_finished",
    "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)": "web.log_running",
    "Uvicorn running on %s://[%s]:%d (Press CTRL+C to quit)": "web.log_running_ipv6",
    "Waiting for application startup.": "web.log_startup",
    "Application startup complete.": "web.log_startup_done",
    "Shutting down": "web.log_shutting_down",
    "Waiting for application shutdown.": "web.log_shutdown",
    "Application shutdown complete.": "web.log_shutdown_done",
    "Waiting for connections to close. (CTRL+C to force quit)": "web.log_connections",
    "Waiting for background tasks to complete. (CTRL+C to force quit)": "web.log_tasks",
}


class InUserLanguage(logging.Filter):
    """Each known uvicorn line in the user's words, the same arguments filled in."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = UVICORN_LINES.get(record.msg) if isinstance(record.msg, str) else None
        if key is not None:
            record.msg = t(key)
            record.__dict__.pop("color_message", None)  # uvicorn's coloured copy of the English line
        return True


IN_USER_LANGUAGE = InUserLanguage()


def make_server(host: str, port: int) -> uvicorn.Server:
    """A configured server; the settings and the database are checked before it listens."""
    require_secret()
    get_engine()  # migrate now, not on the first approver's click
    config = uvicorn.Config(create_app(), host=host, port=port, server_header=False, log_level="info")
    # After `Config()`: it applies uvicorn's logging configuration to these loggers.
    logging.getLogger("uvicorn.access").addFilter(REDACT_TOKENS)
    logging.getLogger("uvicorn.error").addFilter(IN_USER_LANGUAGE)
    return uvicorn.Server(config)
