"""Jinja2 for the web pages; the preview and the stylesheet they share with the sign-off mail
come from `balise.mail`'s templates. And the one page that says a result or a refusal."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from jinja2 import Environment
from starlette.responses import HTMLResponse

from balise.config import get_settings
from balise.i18n import t
from balise.mail.render import environment

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return environment(TEMPLATES)


def prefix() -> str:
    """The path BALISE_PUBLIC_URL puts before the app, when a proxy serves it under a folder."""
    return urlparse(get_settings().public_url).path.rstrip("/")


def render(template: str, /, **context: object) -> str:
    return _environment().get_template(template).render(prefix=prefix(), css_href=f"{prefix()}/style.css", **context)


def message(title: str, text: str, status: int, ok: bool = False) -> HTMLResponse:
    return HTMLResponse(render("message.html", title=title, message=text, ok=ok), status_code=status)


def refusal(text: str, status: int) -> HTMLResponse:
    return message(t("web.refused_title"), text, status)


def data_address(mime: str, data: bytes) -> str:
    """An image inside the page itself: the Content-Security-Policy allows no other source."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
