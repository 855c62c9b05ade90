"""Jinja2 templates shared by the approval pages and the sign-off email (one preview, one stylesheet)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from balise.i18n import t

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty space in a mail
    )
    env.globals["t"] = t
    return env


def compile_templates() -> None:
    """Compile every template now (a worker's supervisor does it once, before forking the worker)."""
    templates = _environment()
    for name in templates.list_templates():
        templates.get_template(name)


def render(name: str, **context: object) -> str:
    return _environment().get_template(name).render(**context)


def stylesheet() -> str:
    """The one stylesheet: served as /style.css and embedded in emails (mail clients fetch nothing)."""
    return render("_style.html")
