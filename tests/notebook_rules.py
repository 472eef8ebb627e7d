"""What every course notebook must satisfy (CONTRIBUTING.md), as plain functions for the tests."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NAME_PATTERN = re.compile(r"(\d\d|[A-Z])_[a-z0-9_]+\.ipynb")
UNCOMPARED_TAGS = {"nbval-ignore-output", "nbval-skip"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MINIMUM_COMPARED_SHARE = 0.75


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as module ``name`` (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader, f"scripts/{name}.py not found"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in a script look their module up here
    spec.loader.exec_module(module)
    return module


def course_notebooks() -> list[Path]:
    """Every notebook of the course, in syllabus order."""
    return sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def is_compared(cell: nbformat.NotebookNode) -> bool:
    """nbval compares this cell's outputs (not tagged to skip or ignore them)."""
    return not UNCOMPARED_TAGS & set(cell.metadata.get("tags", []))


@dataclass(frozen=True)
class ComparedShare:
    compared: int
    total: int

    @property
    def share(self) -> float:
        return self.compared / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"nbval compares the outputs of {self.compared} of {self.total} code cells ({self.share:.0%})"


def compared_share(paths: list[Path]) -> ComparedShare:
    """How many code cells, across ``paths``, have their outputs compared by nbval."""
    cells = [cell for path in paths for cell in code_cells(read(path))]
    return ComparedShare(sum(is_compared(c) for c in cells), len(cells))


# ------------------------------------------------------------------------------------------
# Outputs that do not depend on the machine (CONTRIBUTING.md): numbers that training makes are
# never compared by nbval. Training turns the last bits that differ between CPUs (instruction set,
# threads, oneDNN) into different printed digits, so a compared cell must not print them.

# Calls that train (Keras's fit, a descent step, the labs' training helpers). A method call among
# IN_PLACE also changes the object it is called on (the model, the optimiser, the variable).
IN_PLACE = frozenset(
    {"fit", "train_on_batch", "apply_gradients", "apply", "assign_sub"}
)
TRAINING_CALLS = IN_PLACE | {
    "train",
    "train_setup",
    "train_vae",
    "beta_tradeoff",
    "train_classifier",
    "descend_pixels",
    "descend_latent",
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _assigned_names(statement: ast.stmt) -> set[str]:
    names = {
        n.id
        for n in ast.walk(statement)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
        names.add(statement.name)
    return names


def _read_names(statement: ast.stmt) -> set[str]:
    names = {
        n.id
        for n in ast.walk(statement)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    for node in ast.walk(statement):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)  # x += ... reads x too
    return names


def _trains(statement: ast.stmt, tainted: set[str]) -> bool:
    """Whether a statement trains, or reads a value that training made; updates ``tainted``."""
    trains = bool(_read_names(statement) & tainted)
    for node in ast.walk(statement):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
        elif isinstance(
            node, ast.Attribute
        ):  # a call, or a reference: partial(lab.train, …)
            name = node.attr
        if name in TRAINING_CALLS:
            trains = True
            if name in IN_PLACE and isinstance(node, ast.Attribute):
                root = _root_name(node.value)
                if root is not None:
                    tainted.add(root)
    return trains


def _python_source(source: str) -> str:
    """A cell's source with IPython magics and shell lines blanked out, so ``ast`` can read it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )


def training_dependent_cells(
    notebook: nbformat.NotebookNode,
) -> list[nbformat.NotebookNode]:
    """The code cells whose values come from training: they call a training function or read a
    name that such a call assigned (or a model it changed in place), followed through the notebook.
    """
    tainted: set[str] = set()
    dependent = []
    for cell in code_cells(notebook):
        try:
            tree = ast.parse(_python_source(cell.source))
        except SyntaxError:
            continue
        depends = False
        for statement in tree.body:
            if _trains(statement, tainted):
                depends = True
                tainted |= _assigned_names(statement)
            else:
                tainted -= _assigned_names(
                    statement
                )  # overwritten by a value not trained
        if depends:
            dependent.append(cell)
    return dependent


def _literal_values(source: str) -> set[float]:
    return {float(n) for n in _NUMBER.findall(source)}


def printed_numbers_not_in_source(cell: nbformat.NotebookNode) -> list[str]:
    """Numbers in a cell's compared text outputs that its source does not spell out.

    Figures and widgets are left out (nbval compares neither their pictures nor their ids); a
    number equal to a literal of the source (``1.50`` for ``1.5``) is the source's, not training's.
    """
    literals = _literal_values(cell.source)
    numbers = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text = output.text
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if any(k.startswith("image/") or "widget" in k for k in data):
                continue
            text = data.get("text/plain", "")
        else:
            continue
        numbers += [n for n in _NUMBER.findall(text) if float(n) not in literals]
    return numbers
