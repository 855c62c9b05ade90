"""The import layers, read from the source with `ast`: who may import whom inside balise.

The platform facts are neutral ground that the gate and the adapters share; the gate knows
nothing of the publisher; an adapter knows one platform's API and nothing of the database, the
queue, the web, the command line or the pipeline. The pipeline's steps know nothing of their
callers (the command line, the web app); the queue's jobs call the steps; the core (everything
but `balise.cli` and `balise.web`) imports neither edge. An import written inside a function to
get around these rules (or around a cycle) is refused too, except the ones listed below.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

BALISE = Path(__file__).resolve().parents[1] / "balise"

# Imports of balise modules made inside a function in the checked packages, as they stand today,
# each with why. They are to be removed; do not add one. (file, imported module): reason.
FUNCTION_IMPORTS_TOLERATED = {
    ("balise/compliance/photo_rules.py", "balise.media.faces"): (
        "Pillow and OpenCV load only for drafts with photos, so that `balise check` starts fast"
    ),
    ("balise/compliance/photo_rules.py", "balise.media.images"): (
        "Pillow and OpenCV load only for drafts with photos, so that `balise check` starts fast"
    ),
    ("balise/compliance/training.py", "balise.compliance.policy"): (
        "the training script's entry point; the policy is read only when it runs"
    ),
}
# What balise/platforms may import of balise besides itself, and why.
PLATFORMS_MAY_IMPORT = {
    "balise.errors": "an unknown platform name is an `InvalidInput`, like every mistake a person can fix",
}
ADAPTERS_MAY_NOT_IMPORT = (
    "balise.db",
    "balise.models",
    "balise.web",
    "balise.cli",
    "balise.queue",
    "balise.pipeline",
    "balise.compliance",
)
CHECKED_FOR_FUNCTION_IMPORTS = (
    "balise/platforms/",
    "balise/compliance/",
    "balise/publisher/",
    "balise/pipeline/",
    "balise/queue/jobs.py",
    "balise/mail/",
    "balise/posts.py",
    "balise/consent.py",
    "balise/states.py",
    "balise/tick.py",
)
EDGES = ("balise.cli", "balise.web")  # the callers: they parse, call one step, show the outcome
# The one place that puts a step's jobs on a queue once its transaction is committed, and the
# queue's own modules (and the mail job, which queues its notices' next tries).
MAY_ENQUEUE = ("balise/pipeline/after_commit.py", "balise/queue/", "balise/mail/outbox.py", "balise/mail/send.py")
# What `balise/publisher/` keeps: the adapters behind one interface, and how one is found.
PUBLISHER = {"__init__.py", "base.py", "http.py", "registry.py"}


@dataclass(frozen=True)
class Import:
    file: str  # relative to the repository: balise/publisher/platforms/x.py
    module: str  # what it imports, as a dotted name: balise.platforms.x_length
    line: int
    in_function: bool

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BALISE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (BALISE.parent / relative).with_suffix(".py").is_file() or (BALISE.parent / relative).is_dir()


def _targets(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The balise modules an import statement loads: `from balise import audit` is `balise.audit`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [name if _is_module(name) else base for name in names]


def _imports_of(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for module in _targets(child, path):
                    if module == "balise" or module.startswith("balise."):
                        relative = path.relative_to(BALISE.parent).as_posix()
                        found.append(Import(relative, module, child.lineno, in_function))
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, nested)

    visit(tree, False)
    return found


def _all_imports() -> list[Import]:
    return [i for path in sorted(BALISE.rglob("*.py")) if "migrations" not in path.parts for i in _imports_of(path)]


IMPORTS = _all_imports()


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _from(folder: str) -> list[Import]:
    return [i for i in IMPORTS if i.file.startswith(folder)]


def test_the_platform_facts_import_nothing_of_balise_but_themselves() -> None:
    wrong = [
        str(i)
        for i in _from("balise/platforms/")
        if not _within(i.module, "balise.platforms") and i.module not in PLATFORMS_MAY_IMPORT
    ]
    assert not wrong, "balise/platforms est neutre :\n" + "\n".join(wrong)


def test_the_gate_imports_nothing_of_the_publisher() -> None:
    wrong = [str(i) for i in _from("balise/compliance/") if _within(i.module, "balise.publisher")]
    assert not wrong, "\n".join(wrong)


def test_adapters_import_nothing_of_the_database_queue_web_cli_or_gate() -> None:
    adapters = _from("balise/publisher/platforms/")
    assert {i.file for i in adapters} >= {f"balise/publisher/platforms/{n}.py" for n in ("facebook", "x", "sandbox")}
    wrong = [str(i) for i in adapters if any(_within(i.module, layer) for layer in ADAPTERS_MAY_NOT_IMPORT)]
    assert not wrong, "\n".join(wrong)


def test_no_new_import_of_balise_inside_a_function() -> None:
    wrong = [
        str(i)
        for i in IMPORTS
        if i.in_function
        and i.file.startswith(CHECKED_FOR_FUNCTION_IMPORTS)
        and (i.file, i.module) not in FUNCTION_IMPORTS_TOLERATED
    ]
    assert not wrong, "importez au début du module (un cycle dit qu'un module est au mauvais endroit) :\n" + "\n".join(
        wrong
    )


def test_the_pipeline_imports_nothing_of_the_command_line_or_the_web() -> None:
    wrong = [str(i) for i in _from("balise/pipeline/") if any(_within(i.module, edge) for edge in EDGES)]
    assert not wrong, "une étape du pipeline ne connaît pas qui l'appelle :\n" + "\n".join(wrong)


def test_the_core_imports_nothing_of_the_command_line_or_the_web() -> None:
    core = [i for i in IMPORTS if not i.file.startswith(("balise/cli/", "balise/web/"))]
    wrong = [str(i) for i in core if any(_within(i.module, edge) for edge in EDGES)]
    assert not wrong, "\n".join(wrong)


def test_the_queues_jobs_call_pipeline_steps() -> None:
    jobs = {i.module for i in _from("balise/queue/jobs.py")}
    assert {"balise.pipeline.check", "balise.pipeline.publish", "balise.pipeline.takedown"} <= jobs
    assert not [m for m in jobs if _within(m, "balise.publisher")], "a job calls a step, never an adapter itself"


def test_the_publisher_keeps_only_the_adapters_and_imports_nothing_of_the_pipeline() -> None:
    publisher = BALISE / "publisher"
    assert {p.name for p in publisher.glob("*.py")} == PUBLISHER
    wrong = [str(i) for i in _from("balise/publisher/") if _within(i.module, "balise.pipeline")]
    assert not wrong, "\n".join(wrong)


def _enqueuers() -> list[str]:
    """Every module that imports an `enqueue_*` function of the queue, with where."""
    found = []
    for path in sorted(BALISE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(a.name.startswith("enqueue") for a in node.names):
                found.append(f"{path.relative_to(BALISE.parent).as_posix()}:{node.lineno}")
    return found


def test_steps_enqueue_only_by_returning_their_after_commit_work() -> None:
    wrong = [place for place in _enqueuers() if not place.startswith(MAY_ENQUEUE)]
    assert not wrong, "rendez le travail dans un AfterCommit (balise/pipeline/after_commit.py) :\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from balise import audit", ["balise.audit"]),
        ("from balise.platforms import PLATFORMS", ["balise.platforms"]),
        ("from . import x_length", ["balise.platforms.x_length"]),
        ("from ..publisher import base", ["balise.publisher.base"]),
        ("import balise.db", ["balise.db"]),
    ],
)
def test_imports_are_read_as_the_modules_they_load(source: str, expected: list[str]) -> None:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.Import | ast.ImportFrom)
    assert _targets(node, BALISE / "platforms" / "__init__.py") == expected
