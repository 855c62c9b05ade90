"""Commands loaded on demand: `balise` imports a command's module only when that command runs or
shows its help.

Why: importing every command module at start-up (and, through them, SQLAlchemy, the platform
clients, NumPy) made `balise --help` take 0.4 s and every command pay for all the others. This is the
one place where balise defers imports for start-up speed: `balise --help` lists each command from
its one-line summary (the first paragraph of its help in i18n/*/commands.toml), and `draft add` imports
`balise.cli.draft` alone. Inside a command module, the database and queue layers are imported by
the commands that use them (see `balise.cli.common`).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import ClassVar

import typer
import typer.main
from typer._click import core
from typer.core import TyperCommand, TyperGroup

from balise.cli.help_lang import help_text


@dataclass(frozen=True)
class Entry:
    """Where a command lives: `module:attribute`, a Typer group or a command function (whose help is
    `commands.NAME.help` in the catalogues, as a group's)."""

    target: str

    def load(self, name: str, rich_markup_mode: typer.core.MarkupMode) -> core.Command:
        """The Click command Typer builds for it, exactly as if it had been registered on `balise` itself."""
        module, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module), attribute)
        host = typer.Typer(rich_markup_mode=rich_markup_mode)
        if isinstance(found, typer.Typer):
            host.add_typer(found, name=name)
        else:
            host.command(name, help=help_text(f"{name}.help"))(found)
        return typer.main.get_group(host).commands[name]


def summary(name: str) -> str:
    """The one line `balise --help` shows for command `name`: the first paragraph of its help."""
    return help_text(f"{name}.help").split("\n\n")[0].strip()


class LazyCommands(MutableMapping[str, core.Command]):
    """A group's commands by name: the names are known at once, each command is built on first use."""

    def __init__(self, entries: Mapping[str, Entry], rich_markup_mode: typer.core.MarkupMode) -> None:
        self.entries = dict(entries)
        self.rich_markup_mode = rich_markup_mode
        self.loaded: dict[str, core.Command] = {}

    def __getitem__(self, name: str) -> core.Command:
        if name not in self.loaded:
            self.loaded[name] = self.entries[name].load(name, self.rich_markup_mode)
        return self.loaded[name]

    def __setitem__(self, name: str, command: core.Command) -> None:
        raise TypeError(f"{name}: a command is added by one line in the registry of balise/cli/main.py")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"{name}: the commands are those of the registry in balise/cli/main.py")

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def summaries(self) -> dict[str, core.Command]:
        """Stand-ins carrying each command's name and summary, for the listing in `--help`."""
        return {name: TyperCommand(name, help=summary(name)) for name in self.entries}


class LazyGroup(TyperGroup):
    """A Typer group whose commands come from `entries` (set by a subclass), loaded on demand."""

    entries: ClassVar[Mapping[str, Entry]] = {}

    def __init__(self, **attrs: object) -> None:
        super().__init__(**attrs)  # type: ignore[arg-type]
        self.commands = LazyCommands(self.entries, self.rich_markup_mode)

    def format_help(self, ctx: core.Context, formatter: core.HelpFormatter) -> None:
        """The help of `balise` itself: the same page, listing the commands without importing them."""
        assert isinstance(self.commands, LazyCommands)
        listing = copy.copy(self)
        listing.commands = self.commands.summaries()
        TyperGroup.format_help(listing, ctx, formatter)
