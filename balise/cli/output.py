"""How the CLI prints: one place for colours, errors and JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from balise.i18n import t

if TYPE_CHECKING:
    from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    err_console.print(f"[bold red]{t('cli.error')}[/bold red] {escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    err_console.print(f"[yellow]{t('cli.warning')}[/yellow] {escape(message)}", soft_wrap=True)


def warn_all(messages: list[str]) -> None:
    for message in messages:
        warn(message)


def ok(message: str) -> None:
    console.print(f"[green]✓[/green] {escape(message)}", soft_wrap=True)


def table(*columns: str, show_lines: bool = False) -> Table:
    """A table whose column titles are `columns`' names in i18n/*/columns.toml, in the user's language."""
    from rich.table import Table

    return Table(*(t(f"columns.{column}") for column in columns), show_lines=show_lines)


def print_json(data: Any) -> None:
    """JSON for scripts: plain, one document, no colour."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
