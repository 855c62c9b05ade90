"""Typer's and Click's own words in the user's language: "Usage:", "Show this message and exit.",
"[required]", the panel titles, the type labels (`<list[str]>`) and the completion options.

Why here and not a gettext catalogue: typer 0.29 vendors Click (`typer._click`) with its gettext
calls removed, so no compiled catalogue reaches "Show this message and exit." or "Usage:"; and
typer's own `gettext.gettext` picks its language from LANGUAGE/LC_*, not from BALISE_LANG. So the
words live with every other message (i18n/*/help.toml, keyed by Typer's English text) and are put
in place just before a help page is drawn: nothing is imported or read when no help is shown.
typer is pinned; tests/cli/test_help_lang.py fails if a new version moves these names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typer import core as typer_core
from typer._click import core as click_core
from typer._click import formatting

from balise.i18n import fallback_lang, t

# Typer's strings that its rich help reads from rich_utils's constants, set once at its import.
RICH_CONSTANTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
BARE_TYPES = {"str": "text", "int": "number", "float": "number", "Path": "path", "datetime": "date"}

_english_help: dict[int, str] = {}


def words(english: str, lang: str) -> str:
    """Typer's `english` text in `lang`; itself when balise has no translation for it."""
    try:
        return t(f"help.{english}", lang=lang)
    except KeyError:
        return english


def help_text(key: str, **params: object) -> str:
    """balise's own help for a command, option or argument (i18n/*/commands.toml, `key` is its path
    there): in the language of BALISE_LANG, as Typer's words, since it is read when the command is
    built, before the settings."""
    return t(f"commands.{key}", lang=fallback_lang(), **params)


def type_label(label: str, lang: str) -> str:
    """`<list[str]>` as « <texte…> »: the value a person types, said in her language."""
    inner = label.strip("<>")
    repeated = inner.startswith("list[") and inner.endswith("]")
    if repeated:
        inner = inner[len("list[") : -1]
    key = BARE_TYPES.get(inner)
    said = words(f"type.{key}", lang) if key else inner
    return f"<{said}…>" if repeated else f"<{said}>"


def _localize(command: click_core.Command, ctx: click_core.Context, lang: str) -> None:
    """This command's parameters, help option and the rich help's fixed words, in `lang`."""
    from typer import rich_utils

    for name, english in RICH_CONSTANTS.items():
        setattr(rich_utils, name, words(english, lang))
    if isinstance(command, typer_core.TyperGroup):
        command.subcommand_metavar = words("COMMAND [ARGS]...", lang)
    for param in command.get_params(ctx):
        if param.help:  # type: ignore[attr-defined]
            english = _english_help.setdefault(id(param), param.help)  # type: ignore[attr-defined]
            param.help = words(english, lang)  # type: ignore[attr-defined]


def _translated_help(original: Callable[..., None]) -> Callable[..., None]:
    def format_help(self: click_core.Command, ctx: click_core.Context, formatter: Any) -> None:
        lang = fallback_lang()
        _localize(self, ctx, lang)
        return original(self, ctx, formatter)

    return format_help


def _display_type(original: Callable[..., str | None]) -> Callable[..., str | None]:
    def display_type_rich(self: Any, ctx: click_core.Context) -> str | None:
        if getattr(self, "is_flag", False):
            return None  # a flag takes no value: `<bool>` would ask for one
        label = original(self, ctx)
        return type_label(label, fallback_lang()) if label else label

    return display_type_rich


def _write_usage(original: Callable[..., None]) -> Callable[..., None]:
    def write_usage(self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, words("Usage: ", fallback_lang()) if prefix is None else prefix)

    return write_usage


def install() -> None:
    """Route Typer's help through balise's messages (once per process)."""
    if getattr(typer_core, "_balise_help_lang", False):
        return
    typer_core._balise_help_lang = True  # type: ignore[attr-defined]
    for cls in (typer_core.TyperCommand, typer_core.TyperGroup):
        cls.format_help = _translated_help(cls.format_help)  # type: ignore[method-assign]
    for param_cls in (typer_core.TyperOption, typer_core.TyperArgument):
        param_cls.display_type_rich = _display_type(param_cls.display_type_rich)  # type: ignore[method-assign]
    formatting.HelpFormatter.write_usage = _write_usage(formatting.HelpFormatter.write_usage)  # type: ignore[method-assign]
