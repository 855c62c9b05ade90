"""Jinja2 for the mails, and the parts the approval pages share with them: the post's preview
(`_preview.html`) and the one stylesheet (`_style.html`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from balise.i18n import t

TEMPLATES = Path(__file__).parent / "templates"


def environment(*folders: Path) -> Environment:
    """Templates from `folders`, then the mail's own (which other templates may include)."""
    env = Environment(
        loader=FileSystemLoader([*folders, TEMPLATES]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty space in a mail
    )
    env.globals["t"] = t
    return env


def compile_all(env: Environment) -> None:
    """Compile every template now (a worker's supervisor does it once, before forking the worker)."""
    for name in env.list_templates():
        env.get_template(name)


@cache
def _mail() -> Environment:
    return environment()


def render(name: str, **context: object) -> str:
    return _mail().get_template(name).render(**context)


def compile_templates() -> None:
    compile_all(_mail())


def stylesheet() -> str:
    """The one stylesheet: embedded in mails (mail clients fetch nothing) and served as /style.css."""
    return render("_style.html")
