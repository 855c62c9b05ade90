"""balise's data (database, photos, signed consent forms, upload copies, outbox, reports) is
readable by the account that runs balise only: folders 0700, files 0600.

The entry points set the umask to 0o077 (`keep_private`), so whatever a library creates (SQLite's
-wal and -journal, Valkey's files) is private too; balise's own files are created 0600 explicitly
(`write_private`), so they stay private when balise is used as a library. Files a person asked
for elsewhere (`report -o`) keep the permissions their umask gives (`user_mode`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
# What balise keeps in its data directory: tightened when an older version left it open.
OWN_ENTRIES = ("balise.db*", "media", "outbox", "reports", "redis", "calendrier-*.ics")
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")

_user_umask: int | None = None


def keep_private() -> None:
    """Called first by each entry point: nothing balise or its libraries create is open to others."""
    global _user_umask
    previous = os.umask(PRIVATE_UMASK)
    if _user_umask is None:
        _user_umask = previous


def user_mode() -> int:
    """The mode a new file outside the data directory gets: what the person's own umask gives."""
    if _user_umask is None:
        current = os.umask(0)  # reading the umask means setting it: put it back at once
        os.umask(current)
        return 0o666 & ~current
    return 0o666 & ~_user_umask


def private_dir(path: Path) -> Path:
    """`path` and its missing parents, each created 0700 (`mkdir(parents=True)` would give the
    parents the umask's mode)."""
    missing: list[Path] = []
    folder = path
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    return path


def write_private(target: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `target` whole or not at all, created 0600: a temporary file beside it, then a rename
    (two workers may write the same file; a crash never leaves half of one). `durable`: the data
    reaches the disk before the rename, and the rename after it, for a file that is written once
    and then trusted by its name (a power cut could otherwise leave it empty under that name)."""
    private_dir(target.parent)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    if durable:
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def private_database(path: Path) -> None:
    """The SQLite file is created 0600 before SQLite opens it (its -wal and -journal take its
    mode); an existing one is tightened, with its side files."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_RDONLY, FILE_MODE))
    for suffix in SQLITE_SIDE_FILES:
        _tighten(Path(f"{path}{suffix}"))


def tighten_data_dir(data_dir: Path) -> None:
    """Close a data directory an older version created 0755 (files 0644); cheap once it is 0700."""
    private_dir(data_dir)
    if stat.S_IMODE(data_dir.stat().st_mode) & 0o077 == 0:
        return
    for pattern in OWN_ENTRIES:
        for entry in data_dir.glob(pattern):
            _tighten(entry)
            if entry.is_dir() and not entry.is_symlink():
                for folder, dirs, files in os.walk(entry):
                    for name in (*dirs, *files):
                        _tighten(Path(folder) / name)
    data_dir.chmod(DIR_MODE)


def _tighten(path: Path) -> None:
    """Folders 0700, files 0600; a symbolic link (and what it points to) is left alone."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    wanted = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE if stat.S_ISREG(info.st_mode) else None
    if wanted is not None and stat.S_IMODE(info.st_mode) != wanted:
        os.chmod(path, wanted)
