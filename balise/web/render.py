"""Jinja2 for the approval pages; the preview and the stylesheet they share with the sign-off mail
come from `balise.mail`'s templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment

from balise.mail.render import environment

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return environment(TEMPLATES)


def render(name: str, **context: object) -> str:
    return _environment().get_template(name).render(**context)
