"""The media store: one writer, under content names, for photos, signed forms and upload copies.

A file found under its name is whole (two workers storing the same photo, a worker killed or
failing mid-write), private (0600 whatever the umask), and no other module names media by
their hash or keeps its own MIME map.
"""

from __future__ import annotations

import ast
import hashlib
import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from balise.media.store import MIME, keep, keep_made
from tests.conftest import ROOT

DATA = os.urandom(16 * 1024 * 1024)  # long enough to write that a second writer arrives meanwhile
DIGEST = hashlib.sha256(DATA).hexdigest()
WRITERS = 4


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _writer(
    folder: Path, start: multiprocessing.synchronize.Barrier, results: multiprocessing.queues.Queue[bool]
) -> None:
    """Store DATA as soon as every writer is ready; say whether the file it was given is whole."""
    start.wait()
    kept = keep(DATA, folder, ".bin")
    results.put(hashlib.sha256(kept.path.read_bytes()).hexdigest() == DIGEST)


@pytest.mark.parametrize("round_", range(5))  # who arrives while another writes varies: several rounds
def test_two_writers_of_the_same_content_end_with_one_whole_file(tmp_path: Path, round_: int) -> None:
    fork = multiprocessing.get_context("fork")
    start, results = fork.Barrier(WRITERS), fork.Queue()
    writers = [fork.Process(target=_writer, args=(tmp_path, start, results)) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    assert [results.get(timeout=5) for _ in writers] == [True] * WRITERS  # no writer was handed half a file
    assert _files(tmp_path) == [tmp_path / DIGEST[:2] / f"{DIGEST}.bin"]  # one file, no temporary left
    assert (tmp_path / DIGEST[:2] / f"{DIGEST}.bin").read_bytes() == DATA


def test_a_writer_killed_before_its_rename_leaves_nothing_under_the_name(tmp_path: Path) -> None:
    """The process dies once the bytes are in its temporary file, before the rename (at the fsync)."""
    code = (
        "import os, signal, sys\nfrom pathlib import Path\nfrom balise.media.store import keep\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "keep(b'a signed form', Path(sys.argv[1]), '.pdf')\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    digest = hashlib.sha256(b"a signed form").hexdigest()
    target = tmp_path / digest[:2] / f"{digest}.pdf"
    assert not target.exists()
    assert [p.read_bytes() for p in _files(tmp_path)] == [b"a signed form"]  # only the dead writer's temporary

    assert keep(b"a signed form", tmp_path, ".pdf").path == target and target.read_bytes() == b"a signed form"


def test_an_error_before_the_rename_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        keep(b"a photo", tmp_path, ".jpeg")
    assert _files(tmp_path) == []


def test_kept_files_are_for_balise_s_account_only(tmp_path: Path, usual_umask: None) -> None:
    kept = keep(b"a photo", tmp_path / "media", ".jpeg")
    assert stat.S_IMODE(kept.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.path.parent.stat().st_mode) == 0o700


def test_a_copy_is_made_once_per_source_and_recipe(tmp_path: Path) -> None:
    made: list[str] = []

    def make() -> bytes:
        made.append("once")
        return b"a smaller copy"

    first = keep_made("ab" * 32, tmp_path, "-256-0.jpeg", make)
    again = keep_made("ab" * 32, tmp_path, "-256-0.jpeg", make)
    assert first == again == tmp_path / "ab" / f"{'ab' * 32}-256-0.jpeg" and made == ["once"]


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / "balise").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _calls(node: ast.AST) -> Iterator[str]:
    """The dotted names a piece of code calls (`hashlib.sha256`, `source.read_bytes`, `open`)."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            yield ast.unparse(call.func)


STORE = Path("balise/media/store.py")


def test_one_mime_map_and_one_module_that_names_media_by_hash() -> None:
    mime_types = set(MIME.values())
    maps, namers = [], []
    for path, tree in _modules():
        if path == STORE:
            continue
        maps += [f"{path}:{n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in mime_types]
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                called = list(_calls(function))
                hashes = any(name.startswith("hashlib.") for name in called)
                reads = any(name == "open" or name.endswith((".read_bytes", ".read")) for name in called)
                if hashes and reads:
                    namers.append(f"{path}:{function.lineno} {function.name}")
    assert maps == [], "MIME types belong in balise/media/store.py (MIME)"
    assert namers == [], "files are named by their hash in balise/media/store.py only (keep)"
